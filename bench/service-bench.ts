/**
 * Service benchmarks, printed as plain numbers (issue 3, item 10):
 *   1. cold build wall time through the service vs. bare `sh build.sh`
 *      (unpack headers + make) of the same inputs in the same builder image
 *      and limits, measured in one run;
 *   2. time from POST to the first live log line;
 *   3. dedup: containers started for 20 identical concurrent requests;
 *   4. cache-hit download latency p50/p99 and requests/s at 32 connections.
 * Needs what `npm run setup` provides. Uses the repository's real sources
 * unless KPY_BENCH_SOURCES names another tree; KPY_BENCH_KERNEL picks the kernel.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../lib/config.js';
import { createCore, type Core } from '../lib/core.js';
import { createLogger } from '../lib/logger.js';
import { createApiServer } from '../server/app.js';
import { setupRedisUrl } from '../test/integration/helpers/setup-redis.js';
import { LABEL_RUN } from '../worker/container-client.js';
import { buildContainerSpec } from '../worker/container-layout.js';
import { DockerContainerClient } from '../worker/docker-container-client.js';
import { packInputs } from '../worker/input-tar.js';
import { readOutputs } from '../worker/output-tar.js';
import { runBuildContainer } from '../worker/run-container.js';
import { startWorkerRuntime } from '../worker/worker-runtime.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const id = randomBytes(4).toString('hex');
  const dataDir = await mkdtemp(join(tmpdir(), 'kpy-bench-'));
  await cp(join(ROOT, 'data', 'images'), join(dataDir, 'images'), { recursive: true });
  const config = await loadConfig({
    KPY_REDIS_URL: await setupRedisUrl(),
    KPY_REDIS_PREFIX: `kpybench-${id}`,
    KPY_QUEUE: `bench-${id}`,
    KPY_DATA_DIR: dataDir,
    KPY_SOURCE_DIR: process.env.KPY_BENCH_SOURCES ?? ROOT,
    KPY_WORKER_ID: `bench-${id}`,
    KPY_LOG_LEVEL: 'warn',
  });
  const core = await createCore(config, createLogger('warn'));
  const runLabel = `bench-${id}`;
  const worker = await startWorkerRuntime(core, { runLabel });
  const server: Server = createApiServer({ core }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const kernel = process.env.KPY_BENCH_KERNEL ?? (await newestBookworm(core));
    console.log(`kernel ${kernel}, sources ${config.sourceDir} (${core.sources.files.length} files), ${config.build.cpus} CPUs`);
    const post = (body: object) => fetch(`${url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    // 1-3: service builds (the first one cold, with 20 identical requests at
    // once) alternated with bare builds of the same inputs in the same image
    // and limits; the machine is shared, so pairs are interleaved.
    const plan = await core.service.plan({ kernel, arch: 'amd64', force: false });
    if (plan.source.kind !== 'debian') throw new Error('unexpected plan');
    const packages = plan.source.resolution.packages;
    for (const p of packages) await core.debs.ensure(p); // archive download is not service overhead
    const client = new DockerContainerClient(config.dockerSocket);
    const debs = packages.map((p) => ({ name: `${p.name}_${p.version}_${p.arch}.deb`, path: core.debs.pathOf(p.sha256) }));
    const bareBuild = async () => {
      const spec = buildContainerSpec({ plan, imageId: plan.image.id, limits: config.build, workerId: `bench-bare-${id}`, runLabel });
      const b0 = performance.now();
      const bare = await runBuildContainer({
        client,
        spec,
        input: () => packInputs({ sources: core.sources, debs, builderScript: core.builderScript, mtime: new Date(plan.inputs.options.sourceDateEpoch * 1000) }),
        outPath: '/build/out',
        readOutputs: (t) => readOutputs(t, 1 << 28),
        timeoutMs: config.build.timeoutMs,
        onLine: () => undefined,
        log: core.log,
      });
      if (bare.exitCode !== 0) throw new Error(`bare build exited ${bare.exitCode}`);
      return (performance.now() - b0) / 1000;
    };
    const serviceBuild = async (copies: number, force: boolean) => {
      const t0 = performance.now();
      const responses = await Promise.all(Array.from({ length: copies }, () => post({ kernel, force })));
      const posted = performance.now() - t0;
      const first = (await responses[0]?.json()) as { id: string };
      const sse = await fetch(`${url}/v1/builds/${first.id}/log`, { headers: { accept: 'text/event-stream' } });
      let firstLine = 0;
      let state = '';
      let buf = '';
      const reader = sse.body?.getReader();
      for (;;) {
        const { value, done } = (await reader?.read()) ?? { done: true, value: undefined };
        if (done) break;
        buf += Buffer.from(value).toString();
        if (!firstLine && buf.includes('event: line')) firstLine = performance.now() - t0;
        const m = /event: end\ndata: (\w+)/.exec(buf);
        if (m) {
          state = m[1] ?? '';
          break;
        }
      }
      if (state !== 'succeeded') throw new Error(`the build ${first.id} ${state}; see its log (kpython log ${first.id})`);
      return { id: first.id, seconds: (performance.now() - t0) / 1000, posted, firstLine };
    };
    const bare1 = await bareBuild();
    const cold = await serviceBuild(20, false);
    const containers = await core.records.containers(cold.id);
    const bare2 = await bareBuild();
    const warm = await serviceBuild(1, true);
    const svc = (cold.seconds + warm.seconds) / 2;
    const bareMean = (bare1 + bare2) / 2;
    console.log(`bare build (unpack headers + make, same image/limits/input tar): ${bare1.toFixed(2)} s, ${bare2.toFixed(2)} s`);
    console.log(`service build (POST to succeeded, signed and stored): ${cold.seconds.toFixed(2)} s (cold), ${warm.seconds.toFixed(2)} s (forced rebuild)`);
    console.log(`service overhead: ${(((svc - bareMean) / bareMean) * 100).toFixed(1)} % of ${bareMean.toFixed(2)} s (target <= 10 %)`);
    console.log(`POST to first log line: ${ms(cold.firstLine)} (cold), ${ms(warm.firstLine)} (rebuild)`);
    console.log(`dedup: 20 identical concurrent requests answered in ${ms(cold.posted)} -> ${containers} container(s) started`);
    const first = cold;
    const docker0 = performance.now();
    await dockerRunNoop(plan.image.id);
    console.log(`(for scale: docker run of a no-op container: ${ms(performance.now() - docker0)})`);

    // 4: cache hits at 32 connections, from a separate process.
    const total = 2000;
    const load = await runNode(fileURLToPath(new URL('./service-load.js', import.meta.url)), [`${url}/v1/kernels/${kernel}/kpython.ko`, String(total), '32']);
    const r = JSON.parse(load) as { p50: number; p99: number; rps: number };
    console.log(`cache-hit download of kpython.ko (${total} requests, 32 connections): p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ${r.rps.toFixed(0)} req/s`);
    const small = JSON.parse(await runNode(fileURLToPath(new URL('./service-load.js', import.meta.url)), [`${url}/v1/builds/${first.id}`, String(total), '32'])) as typeof r;
    console.log(`build status GET (${total} requests, 32 connections): p50 ${ms(small.p50)}, p99 ${ms(small.p99)}, ${small.rps.toFixed(0)} req/s`);
    const st = (await (await fetch(`${url}/v1/builds/${first.id}`)).json()) as { timings: Record<string, number> };
    console.log(`stage timings of the service build (ms): ${JSON.stringify(st.timings)}`);
  } finally {
    server.closeAllConnections();
    server.close();
    await worker.close();
    await new DockerContainerClient(config.dockerSocket).reap({ [LABEL_RUN]: runLabel });
    const keys = await core.redis.keys(`${config.redis.prefix}:*`);
    if (keys.length) await core.redis.del(...keys);
    await core.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function newestBookworm(core: Core): Promise<string> {
  const r = (await core.resolver.listReleases()).map((k) => k.release).filter((k) => /^6\.1\.0-\d+-amd64$/.test(k));
  r.sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  if (!r[0]) throw new Error('no bookworm kernel in the archive');
  return r[0];
}

function runNode(script: string, args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('close', (c) => (c === 0 ? res(out) : rej(new Error(`${script} exited ${c}`))));
  });
}

function dockerRunNoop(image: string): Promise<void> {
  return new Promise((res, rej) => {
    const p = spawn('docker', ['run', '--rm', '--network', 'none', image, 'true'], { stdio: 'ignore' });
    p.on('close', (c) => (c === 0 ? res() : rej(new Error(`docker run exited ${c}`))));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
