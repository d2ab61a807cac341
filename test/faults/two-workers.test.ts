import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeStandInSources } from '../integration/helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, REPO_ROOT, waitForBuild, type TestEnv } from '../integration/helpers/test-core.js';

test('two workers finishing the same key: both jobs complete, one build is published, nobody records a failure', async () => {
  const src = await makeStandInSources('ok', `two-${Date.now()}`);
  const shared = await mkdtemp(join(tmpdir(), 'kpy-two-'));
  await cp(join(REPO_ROOT, 'data', 'images'), join(shared, 'images'), { recursive: true });
  const hex = randomBytes(4).toString('hex');
  // One data directory and one record space; separate queues, so both build the key at once.
  const common = { KPY_DATA_DIR: shared, KPY_REDIS_PREFIX: `kpytest-two-${hex}` };
  const envs: TestEnv[] = [];
  try {
    for (const q of ['a', 'b']) envs.push(await makeTestEnv({ sourceDir: src, worker: true, env: { ...common, KPY_QUEUE: `two-${hex}-${q}`, KPY_WORKER_ID: `two-${hex}-${q}` } }));
    const [a, b] = envs as [TestEnv, TestEnv];
    const kernel = await currentBookwormKernel(a.core);
    const t0 = Date.now();
    const [ra, rb] = await Promise.all([a.core.service.submit({ kernel, arch: 'amd64', force: false }), b.core.service.submit({ kernel, arch: 'amd64', force: false })]);
    assert.equal(ra.build.id, rb.build.id, 'one key');
    const id = ra.build.id;
    const [ja, jb] = await Promise.all([a.core.queue.getJob(id), b.core.queue.getJob(id)]);
    const done = await waitForBuild(a.core, id, 300_000);
    for (const [env, j] of [[a, ja], [b, jb]] as const) {
      const deadline = Date.now() + 120_000;
      let state = await j?.getState();
      while (state !== 'completed' && state !== 'failed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        state = await (await env.core.queue.getJob(id))?.getState();
      }
      assert.equal(state, 'completed', `the job on queue ${env.config.redis.queue} completed`);
    }
    const rec = await a.core.records.get(id);
    console.log(`# two workers, one key: both jobs completed in ${Date.now() - t0} ms; containers ${await a.core.records.containers(id)}; record ${rec?.state}`);
    assert.equal(done.state, 'succeeded');
    assert.equal(rec?.state, 'succeeded', JSON.stringify(rec?.error));
    assert.equal(rec?.error, undefined);
    assert.equal(await a.core.records.containers(id), 2, 'both really built it');
    assert.deepEqual((await readdir(join(shared, 'builds'))).filter((n) => n.startsWith('.')), [], 'no scratch');
    assert.deepEqual(await readdir(join(shared, 'builds')), [id]);
  } finally {
    for (const e of envs) await e.cleanup();
    await rm(shared, { recursive: true, force: true });
    await rm(src, { recursive: true, force: true });
  }
});
