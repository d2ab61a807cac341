import { buildDirEntries, makeTar } from '../test/unit/headers-fixture.js';
import { deepPathsTar, gz, longHeaderTar, symlinkChainTar } from '../test/integration/helpers/hostile-archives.js';
import { spawnService } from '../test/integration/helpers/spawned-service.js';

/**
 * `node dist/bench/hostile-uploads.js`: each hostile upload class against a
 * fresh service process; prints status, wall time, CPU seconds and peak-RSS
 * growth of the service. KPY_TEST_DIST runs another build of the service.
 */
const classes: [string, () => Promise<Buffer>, string][] = [
  ['deep-paths-2000 (gz)', async () => gz(await deepPathsTar(120, 2000, 'a')), 'application/gzip'],
  ['implicit-dirs-6000x40 (gz)', async () => gz(await deepPathsTar(6000, 40, 'c'.repeat(19))), 'application/gzip'],
  ['pax-header-48MiB (tar)', () => longHeaderTar('x', 48 * 1024 * 1024), 'application/x-tar'],
  ['gnu-longname-48MiB (tar)', () => longHeaderTar('L', 48 * 1024 * 1024), 'application/x-tar'],
  ['symlink-chain-30 (gz)', async () => gz(await symlinkChainTar(30)), 'application/gzip'],
  ['bad-gzip', async () => Buffer.concat([gz(await makeTar(buildDirEntries())).subarray(0, 10), Buffer.alloc(200, 0xff)]), 'application/gzip'],
];
const timeoutMs = Number(process.env.KPY_BENCH_TIMEOUT_MS ?? 60_000);
const only = process.env.KPY_BENCH_ONLY ? new RegExp(process.env.KPY_BENCH_ONLY) : undefined;
for (const [name, make, type] of classes.filter(([n]) => !only || only.test(n))) {
  const body = await make();
  const svc = await spawnService({ env: { KPY_MAX_UPLOAD_MB: '96' } });
  const before = await svc.stats();
  const t0 = performance.now();
  let status = 'timeout';
  try {
    const res = await fetch(`${svc.url}/v1/headers`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: new Uint8Array(body.buffer, body.byteOffset, body.length) as unknown as BodyInit,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const p = (await res.json()) as { code?: string };
    status = `${res.status} ${p.code ?? ''}`;
  } catch (err) {
    status = `no answer (${(err as Error).name})`;
  }
  const ms = Math.round(performance.now() - t0);
  const after = await svc.stats().catch(() => undefined);
  const exited = svc.child.exitCode !== null || svc.child.signalCode !== null;
  console.log(
    JSON.stringify({
      class: name,
      bytes: body.length,
      status: exited ? `service died (${svc.child.exitCode ?? svc.child.signalCode})` : status,
      ms,
      cpuSec: after ? Number((after.cpuSec - before.cpuSec).toFixed(2)) : null,
      peakRssGrowthMiB: after ? Math.round(after.hwmMiB - before.hwmMiB) : null,
    }),
  );
  await svc.stop();
}
