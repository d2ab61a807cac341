/**
 * Cheap second builds (issue 14, goals 2 and 3), side by side in one run,
 * real kpython sources, real Docker builds through the worker pipeline:
 *
 *   baseline  release A, no caches              (the cold build)
 *   check     release B, no caches              (byte identity of "second")
 *   seed      release A, empty object cache     (cold, filling the cache)
 *   second    release B (another ABI of the same series), that cache
 *   warm      release A again, every cache warm, in a restarted service
 *             (its own store): the result cache's outputs, no container
 *   objects   release A forced in a third service (a forced rebuild proves
 *             reproducibility, so it skips the result cache): objects only
 *
 * and prints each time against the baseline; every cached build must give
 * the unsigned kpython.ko (and its debug info) byte for byte as the uncached
 * build of the same release, else the bench fails.
 *
 *   node dist/bench/build-cache.js [--a 6.1.0-57-amd64] [--b 6.1.0-56-amd64]
 *       [--matrix N [--flavours amd64,...] [--concurrency C]]
 *
 * --matrix N also builds the N newest releases of every series the resolver
 * knows twice, a pass each: no cache, then with the cache from the builds
 * before it; each pass through a worker running C builds at once (1 unless
 * told; KPY_WORKER_CONCURRENCY), and prints kernels per hour for both.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sha256Hex } from '../lib/sha256.js';
import { objectCacheDigest } from '../lib/object-cache.js';
import { makeTestEnv, REPO_ROOT, waitForBuild, type TestEnv } from '../test/integration/helpers/test-core.js';
import { BUILD_OPTIONS } from '../lib/build-plan.js';
import { sourcesTar } from '../worker/input-tar.js';

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, matrix: { type: 'string' }, flavours: { type: 'string' }, concurrency: { type: 'string' } } });

interface Result {
  seconds: number;
  unsigned: string;
  debug: string;
  cacheLine: string;
}

async function build(env: TestEnv, kernel: string, force: boolean): Promise<Result> {
  const t0 = performance.now();
  const arch = kernel.endsWith('-arm64') ? 'arm64' : 'amd64';
  const { build: b } = await env.core.service.submit({ kernel, arch, force });
  const done = await waitForBuild(env.core, b.id, 900_000);
  const seconds = (performance.now() - t0) / 1000;
  if (done.state !== 'succeeded') throw new Error(`${kernel}: ${JSON.stringify(done.error)}`);
  const file = async (name: string) => {
    const p = await env.core.store.path(b.id, name);
    if (!p) throw new Error(`${kernel}: no ${name}`);
    return readFile(p);
  };
  const log = (await file('build.log')).toString();
  return {
    seconds,
    unsigned: sha256Hex(await file('kpython.unsigned.ko')),
    debug: sha256Hex(await file('kpython.ko.debug')),
    cacheLine: [...log.matchAll(/^\[kpython\] (object group: (?:hit|partial hit|stored).*|object cache: \d.*|bundle cache: .*|result cache: hit)/gm)].map((m) => m[1]).join('; ') || '(no cache)',
  };
}

function line(name: string, kernel: string, r: Result, base: number): void {
  console.log(`${name.padEnd(9)} ${kernel.padEnd(18)} ${r.seconds.toFixed(1).padStart(6)} s  ${(r.seconds / base).toFixed(2)}x  load ${loadavg()[0]?.toFixed(1)}  ${r.cacheLine}`);
}

async function main(): Promise<void> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'kpy-bench-objects-'));
  const envs: TestEnv[] = [];
  const fresh = async (cached: boolean, extra: Record<string, string> = {}) => {
    const env = await makeTestEnv({
      sourceDir: REPO_ROOT,
      worker: true,
      env: { ...(cached ? { KPY_OBJECT_CACHE_DIR: cacheDir } : { KPY_OBJECT_CACHE_MB: '0' }), ...extra },
    });
    envs.push(env);
    // A worker packs the sources' part of the input tar once, when it starts (worker/input-tar.ts): not part of any build's time.
    await sourcesTar(env.core.sources, new Date(BUILD_OPTIONS.sourceDateEpoch * 1000));
    return env;
  };
  let failed = false;
  try {
    const plain = await fresh(false);
    const releases = (await plain.core.resolver.listReleases()).map((k) => k.release);
    const series61 = releases.filter((r) => /^6\.1\.0-\d+-amd64$/.test(r)).sort((x, y) => Number(y.split('-')[1]) - Number(x.split('-')[1]));
    const a = values.a ?? series61[0];
    const b = values.b ?? series61[1];
    if (!a || !b) throw new Error('the resolver knows fewer than two 6.1 amd64 releases');
    console.log(`kpython sources ${plain.core.sources.digest.slice(0, 12)}; ${plain.config.build.cpus} CPUs per build; load at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const cached = await fresh(true);
    // Every build below has its header packages downloaded already (the check build fetches B's).
    const baseline = await build(plain, a, true);
    line('baseline', a, baseline, baseline.seconds);
    const check = await build(plain, b, true);
    line('check', b, check, baseline.seconds);
    const seed = await build(cached, a, true);
    line('seed', a, seed, baseline.seconds);
    const second = await build(cached, b, true);
    line('second', b, second, baseline.seconds);
    // A new service over the same cache (a restarted worker; its own store, so A really builds again).
    const restarted = await fresh(true);
    const warm = await build(restarted, a, false);
    line('warm', a, warm, baseline.seconds);
    // A third service (its own store, so its log is this build's) over the same cache, forced.
    const objects = await build(await fresh(true), a, true);
    line('objects', a, objects, baseline.seconds);
    const same = (x: Result, y: Result) => x.unsigned === y.unsigned && x.debug === y.debug;
    const ok = same(seed, baseline) && same(warm, baseline) && same(objects, baseline) && same(second, check);
    failed ||= !ok;
    console.log(`bytes: ${ok ? 'identical' : 'DIFFERENT'} (unsigned kpython.ko and kpython.ko.debug, cached vs uncached; ${a} ${baseline.unsigned.slice(0, 16)}, ${b} ${check.unsigned.slice(0, 16)})`);
    const r = (x: Result) => (x.seconds / baseline.seconds).toFixed(2);
    console.log(
      `cache-filling build ${r(seed)}x the cold build (goal <= ~1.1), second ABI ${r(second)}x (goal <= 0.40), warm rebuild ${r(warm)}x (goal <= 0.20), forced rebuild from objects ${r(objects)}x`,
    );
    const { files } = await objectCacheDigest(cacheDir);
    console.log(`object cache: ${files} files`);

    const n = Number(values.matrix ?? 0);
    if (n > 0) {
      // A series: major.minor, the Debian release it is built for (+debNN), the flavour (amd64, cloud-amd64, rt-amd64, ...).
      const flavours = new Set((values.flavours ?? 'amd64').split(','));
      const seriesOf = (r: string) => {
        const series = r.match(/^\d+\.\d+/)?.[0];
        const deb = r.match(/\+(deb\d+)/)?.[1];
        const flavour = (/^\d+\.\d+\.\d+-\d+-(.+)$/.exec(r) ?? /^[\d.]+\+deb[\d.]+-(.+)$/.exec(r))?.[1];
        return series && flavour ? { series: deb ? `${series}+${deb}` : series, flavour } : undefined;
      };
      const bySeries = new Map<string, string[]>();
      for (const r of releases) {
        const s = seriesOf(r);
        if (!s || !flavours.has(s.flavour)) continue;
        const k = `${s.series} ${s.flavour}`;
        bySeries.set(k, [...(bySeries.get(k) ?? []), r]);
      }
      const abi = (r: string) => r.match(/\d+/g)?.map(Number) ?? [];
      const newest = (x: string, y: string) => {
        const [a, b] = [abi(x), abi(y)];
        for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (b[i] ?? 0) - (a[i] ?? 0);
        return 0;
      };
      // Round robin over the series: the newest release of each, then the next of each, so that the
      // builds in flight at once (--concurrency) are of different series, as a fleet's would be.
      const lists = [...bySeries.values()].map((rs) => rs.sort(newest).slice(0, n));
      const chosen = Array.from({ length: n }, (_, i) => lists.flatMap((rs) => (rs[i] ? [rs[i]] : []))).flat();
      const width = Number(values.concurrency ?? 1);
      if (!Number.isInteger(width) || width < 1) throw new Error('--concurrency takes a positive integer');
      console.log(`\nmatrix: ${chosen.length} of ${releases.length} known releases (${n} newest of each of ${bySeries.size} series, flavours ${[...flavours].join(',')}: ${[...bySeries.keys()].join('; ')}), ${width} at a time`);
      // Downloads are goal 1's, not this one's: every header package is fetched before the clock starts.
      for (const k of chosen) {
        const res = await plain.core.resolver.resolve({ release: k }).catch(() => undefined);
        for (const p of res?.packages ?? []) await plain.core.debs.ensure(p).catch(() => undefined);
      }
      // Each pass its own service (its own store, so each log read is this build's) with a worker that
      // runs `width` builds at once; forced, so no result is reused: objects only. The plain pass, then
      // the cached one over the same cache as the builds above; a pass's time is its wall clock.
      const pass = async (env: TestEnv) => {
        const results = new Map<string, Result | Error>();
        const t0 = performance.now();
        let next = 0;
        const lane = async () => {
          for (let i = next++; i < chosen.length; i = next++) {
            const k = chosen[i] as string;
            results.set(k, await build(env, k, true).catch((err: unknown) => err as Error));
          }
        };
        await Promise.all(Array.from({ length: width }, lane));
        return { results, seconds: (performance.now() - t0) / 1000 };
      };
      const concurrent = { KPY_WORKER_CONCURRENCY: String(width) };
      const plainPass = await pass(await fresh(false, concurrent));
      const cachedPass = await pass(await fresh(true, concurrent));
      let built = 0;
      for (const k of chosen) {
        const p = plainPass.results.get(k);
        const c = cachedPass.results.get(k);
        if (!p || !c || p instanceof Error || c instanceof Error) {
          const err = [p, c].find((x) => x instanceof Error) as Error | undefined;
          console.log(`${k.padEnd(28)} failed: ${(err?.message ?? 'not built').slice(0, 200)}`);
          failed = true;
          continue;
        }
        built += 1;
        const same2 = same(p, c);
        failed ||= !same2;
        console.log(`${k.padEnd(28)} ${p.seconds.toFixed(1).padStart(6)} s  cached ${c.seconds.toFixed(1).padStart(6)} s  ${same2 ? 'identical' : 'DIFFERENT'}  ${c.cacheLine}`);
      }
      if (built === chosen.length) {
        const perHour = (s: number) => ((3600 * built) / s).toFixed(0);
        console.log(
          `matrix: ${built} kernels, ${width} at a time: ${plainPass.seconds.toFixed(0)} s without caches (${perHour(plainPass.seconds)} kernels/hour), ${cachedPass.seconds.toFixed(0)} s with (${perHour(cachedPass.seconds)}): ${(plainPass.seconds / cachedPass.seconds).toFixed(2)}x (goal >= 3)`,
        );
      }
    }
  } finally {
    for (const e of envs) await e.cleanup();
    await rm(cacheDir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
