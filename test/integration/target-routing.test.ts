import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, REPO_ROOT, waitForBuild, type TestEnv } from './helpers/test-core.js';

/**
 * Routing by target (issue 9 item 4): one queue per architecture. An
 * x86-only worker (KPY_WORKER_TARGETS=amd64) builds amd64 jobs and never
 * takes the arm64 one, which waits, visibly queued, until a worker whose
 * images build arm64 joins the same Redis; that one builds it (a stand-in
 * module for trixie's arm64 kernel, whose compiler is the cross gcc-14: a
 * few seconds; the bookworm arm64 image, the kernels' gcc-12 under
 * qemu-user, is exercised by test/vm/service-artifact-arm64.sh).
 */
test('an arm64 job waits queued past an x86-only worker and is built by the arm64-capable worker that joins later', async () => {
  const src = await makeStandInSources('ok', `route-${Date.now()}`);
  const shared = await mkdtemp(join(tmpdir(), 'kpy-route-'));
  await cp(join(REPO_ROOT, 'data', 'images'), join(shared, 'images'), { recursive: true });
  const hex = randomBytes(4).toString('hex');
  // one data directory, one Redis prefix, one queue name: the workers differ only in what they serve
  const common = { KPY_DATA_DIR: shared, KPY_REDIS_PREFIX: `kpytest-route-${hex}`, KPY_QUEUE: `route-${hex}` };
  const envs: TestEnv[] = [];
  try {
    const x86 = await makeTestEnv({ sourceDir: src, worker: true, env: { ...common, KPY_WORKER_ID: `x86-${hex}`, KPY_WORKER_TARGETS: 'amd64' } });
    envs.push(x86);
    assert.deepEqual(x86.worker?.targets, ['amd64']);
    const arm64 = (await x86.core.resolver.listReleases())
      .map((k) => k.release)
      .filter((r) => /^6\.12\.\d+\+deb13-arm64$/.test(r))
      .sort((a, b) => Number(b.split('.')[2]?.split('+')[0]) - Number(a.split('.')[2]?.split('+')[0]))[0];
    assert.ok(arm64, 'the archive lists a 6.12.N+deb13-arm64 kernel');
    const armJob = await x86.core.service.submit({ kernel: arm64, force: false });
    assert.equal(armJob.build.state, 'queued');
    assert.equal(armJob.build.inputs?.arch, 'arm64');
    const armId = armJob.build.id;

    // The x86 worker is alive and building: an amd64 job goes through it.
    const t0 = Date.now();
    const amd = await x86.core.service.submit({ kernel: await currentBookwormKernel(x86.core), force: false });
    const amdDone = await waitForBuild(x86.core, amd.build.id, 300_000);
    assert.equal(amdDone.state, 'succeeded', JSON.stringify(amdDone.error));
    assert.equal((await x86.core.records.get(amd.build.id))?.worker, `x86-${hex}`);
    const amdMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 2000));

    // ... and the arm64 job stayed where it was: queued, in the arm64 queue, touched by nobody.
    const waiting = await x86.core.service.status(armId);
    assert.equal(waiting?.state, 'queued');
    assert.equal(waiting?.worker, undefined, 'no worker started it');
    assert.equal(await (await x86.core.queues.get('arm64').getJob(armId))?.getState(), 'waiting');
    assert.equal(await x86.core.queue.getJob(armId), undefined, 'not in the amd64 queue');
    assert.equal(x86.core.queues.name('arm64'), `route-${hex}-arm64`);

    // A worker whose images build arm64 joins the same Redis (its targets come from its image records).
    const t1 = Date.now();
    const armWorker = await makeTestEnv({ sourceDir: src, worker: true, env: { ...common, KPY_WORKER_ID: `arm-${hex}` } });
    envs.push(armWorker);
    assert.ok(armWorker.worker?.targets.includes('arm64'), `targets ${armWorker.worker?.targets.join(',')}`);
    const armDone = await waitForBuild(x86.core, armId, 900_000);
    assert.equal(armDone.state, 'succeeded', JSON.stringify(armDone.error));
    const rec = await x86.core.records.get(armId);
    assert.equal(rec?.worker, `arm-${hex}`);
    assert.deepEqual(rec?.toolchain, {
      image: 'trixie-arm64-gcc14',
      compiler: 'aarch64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0',
      kernelCompiler: 'aarch64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0',
      match: 'exact',
    });
    console.log(`# routing: amd64 stand-in on the x86 worker ${amdMs} ms; arm64 job queued until the arm64 worker joined, then built in ${Date.now() - t1} ms`);
  } finally {
    for (const e of envs.reverse()) await e.cleanup();
    await rm(shared, { recursive: true, force: true });
    await rm(src, { recursive: true, force: true });
  }
});

test('without an image holding its exact compiler a bookworm arm64 kernel is refused, naming the compiler it needs', async () => {
  const src = await makeStandInSources('ok', `refuse-${Date.now()}`);
  const env = await makeTestEnv({ sourceDir: src });
  try {
    // this data directory's images, minus the one with the exact compiler
    await rm(join(env.dataDir, 'images', 'arm64', 'bookworm-arm64-gcc12.json'));
    const arm64 = (await env.core.resolver.listReleases())
      .map((k) => k.release)
      .filter((r) => /^6\.1\.0-\d+-arm64$/.test(r))
      .sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))[0] as string;
    await assert.rejects(env.core.service.plan({ kernel: arm64, force: false }), (e: { code?: string; message: string }) =>
      e.code === 'COMPILER_UNAVAILABLE' && e.message.includes('gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0') && /exact compiler build/.test(e.message));
    // with it back: an exact match, never a same-major one
    await cp(join(REPO_ROOT, 'data', 'images', 'arm64', 'bookworm-arm64-gcc12.json'), join(env.dataDir, 'images', 'arm64', 'bookworm-arm64-gcc12.json'));
    await new Promise((r) => setTimeout(r, 5100)); // the service re-reads image records every 5 s
    const plan = await env.core.service.plan({ kernel: arm64, force: false });
    assert.deepEqual([plan.image.name, plan.toolchainMatch, plan.inputs.arch], ['bookworm-arm64-gcc12', 'exact', 'arm64']);
  } finally {
    await env.cleanup();
    await rm(src, { recursive: true, force: true });
  }
});
