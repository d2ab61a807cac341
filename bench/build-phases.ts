/**
 * Where one build's time goes (issue 14): builds a release through the real
 * worker pipeline and prints its log as a timeline, each line with the
 * seconds since the submit (the Redis stream ID of a log line is the time
 * it was appended), then the time between phase marks.
 *
 *   node dist/bench/build-phases.js [--kernel 6.1.0-57-amd64] [--cache DIR]
 *
 * Without --cache the build runs with no object cache (a cold build).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { makeTestEnv, REPO_ROOT, waitForBuild } from '../test/integration/helpers/test-core.js';
import { BUILD_OPTIONS } from '../lib/build-plan.js';
import { sourcesTar } from '../worker/input-tar.js';

const { values } = parseArgs({ options: { kernel: { type: 'string' }, cache: { type: 'string' }, all: { type: 'boolean' } } });

/** Phase marks, in order: the first line matching each starts that phase. */
const MARKS: [string, RegExp][] = [
  ['fetch+verify inputs', /\] build [0-9a-f]{64} for/],
  ['image check', /\] kernel compiler: /],
  ['container: create, inputs in, start', /\] toolchain /],
  ['unpack header .debs', /unpacking headers/],
  ['compiler checks, toolchain hash', /^\[kpython\] kernel compiler: /],
  // With the object cache: the bundle (from its cache or generated) and the object group come before make.
  ['bundle, object group restore', /\] bundle cache: |\] object group: (hit|miss)/],
  ['make: bundle (MicroPython generation)', /make KDIR=/],
  ['make: compile objects', /^\s+CC \[M\]/],
  ['make: link, modpost, objtool', /^\s+(LD \[M\]|MODPOST)/],
  ['strip, debuglink, dkms tar', /built \d+ bytes with debug info/],
  ['container exit, outputs out, check, sign, store', /dkms source tree/],
];

async function main(): Promise<void> {
  const env = await makeTestEnv({
    sourceDir: REPO_ROOT,
    worker: true,
    env: values.cache ? { KPY_OBJECT_CACHE_DIR: values.cache } : { KPY_OBJECT_CACHE_MB: '0' },
  });
  try {
    // Packed once when the worker starts (worker/input-tar.ts), not per build.
    await sourcesTar(env.core.sources, new Date(BUILD_OPTIONS.sourceDateEpoch * 1000));
    const kernel = values.kernel ?? '6.1.0-57-amd64';
    const load = loadavg()[0]?.toFixed(1);
    const t0 = Date.now();
    const { build } = await env.core.service.submit({ kernel, arch: 'amd64', force: true });
    const done = await waitForBuild(env.core, build.id, 900_000);
    const total = (Date.now() - t0) / 1000;
    const events = await env.core.logs.snapshot(build.id);
    const at = (id: string) => (Number(id.split('-')[0]) - t0) / 1000;
    const times: { name: string; t: number }[] = [{ name: 'queue, verify job', t: 0 }];
    let m = 0;
    for (const e of events) {
      const text = 'line' in e ? e.line : `(end: ${e.end})`;
      if (values.all) console.log(`${at(e.id).toFixed(2).padStart(7)}  ${text}`);
      // The first later mark that matches: a mark a build has no line for is skipped.
      const j = MARKS.findIndex((mark, i) => i >= m && mark[1].test(text));
      if (j >= 0) {
        times.push({ name: (MARKS[j] as [string, RegExp])[0], t: at(e.id) });
        m = j + 1;
      }
    }
    console.log(`${kernel}: ${done.state} in ${total.toFixed(1)} s (load ${load} at start, ${loadavg()[0]?.toFixed(1)} at end)`);
    times.forEach((p, i) => {
      const next = times[i + 1]?.t ?? total;
      console.log(`${(next - p.t).toFixed(2).padStart(7)} s  ${p.name}`);
    });
  } finally {
    await env.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
