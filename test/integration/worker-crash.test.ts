import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'bullmq';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { BUILD_JOB } from '../../lib/build-queue.js';
import { readBuilderImage } from '../../lib/builder-images.js';
import { LABEL_APP, LABEL_DEADLINE, LABEL_RUN, LABEL_WORKER } from '../../worker/container-client.js';
import { deadlineCommand } from '../../worker/container-layout.js';
import { DockerContainerClient } from '../../worker/docker-container-client.js';
import { acquireWorkerLease } from '../../worker/worker-lease.js';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, REPO_ROOT, waitForBuild } from './helpers/test-core.js';
import { setupRedisUrl } from './helpers/setup-redis.js';
import { requireServices } from './helpers/services.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const until = async (what: string, ms: number, ok: () => Promise<boolean>) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

/** A child process holding a worker lease, as a crashed service would. */
async function leaseHolder(prefix: string, workerId: string) {
  const code = `
    import { Redis } from 'ioredis';
    import { acquireWorkerLease } from ${JSON.stringify(join(REPO_ROOT, 'dist/worker/worker-lease.js'))};
    const r = new Redis(${JSON.stringify(await setupRedisUrl())});
    await acquireWorkerLease(r, ${JSON.stringify(prefix)}, ${JSON.stringify(workerId)});
    console.log('held');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  assert.equal(line.toString().trim(), 'held');
  return child;
}

test('a crashed worker\'s lease is taken over at once by its successor; a live holder keeps it', async () => {
  await requireServices();
  const prefix = `kpytest-lease-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(await setupRedisUrl());
  try {
    const live = await leaseHolder(prefix, 'w');
    await assert.rejects(acquireWorkerLease(redis, prefix, 'w'), (err: unknown) => (err as { code?: string }).code === 'WORKER_ID_IN_USE');
    live.kill('SIGKILL');
    await once(live, 'exit');
    const t0 = Date.now();
    const lease = await acquireWorkerLease(redis, prefix, 'w');
    assert.equal(lease.tookOverFrom?.pid, live.pid, 'taken over from the dead pid');
    console.log(`# lease taken over ${Date.now() - t0} ms after SIGKILL (the old lease had ~30 s left)`);
    await assert.rejects(acquireWorkerLease(redis, prefix, 'w'), /WORKER_ID_IN_USE|another live worker/, 'and now we are the live holder');
    await lease.release();
  } finally {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

test('the deadline holds inside the container: PID 1 `timeout` kills a build that tries to kill it', async () => {
  await requireServices();
  const tag = `dl-${randomBytes(4).toString('hex')}`;
  const client = new DockerContainerClient('/var/run/docker.sock');
  const image = await readBuilderImage(`${REPO_ROOT}/data`, 'bookworm-gcc12');
  const deadline = Date.now() + 1000;
  const labels = { [LABEL_APP]: 'kpython', [LABEL_WORKER]: `gone-${tag}`, [LABEL_RUN]: tag, [LABEL_DEADLINE]: String(deadline) };
  await client.createVolume(tag, labels);
  const id = await client.create({
    image: image.id, name: tag, labels, env: {}, volume: tag, workDir: '/build', tmpfs: {}, memoryBytes: 64 << 20, pids: 32, cpus: 0.5,
    cmd: deadlineCommand(1000, ['sh', '-c', 'trap "" TERM INT; kill -KILL 1; kill -TERM 1; sleep 600']),
  });
  try {
    const t0 = Date.now();
    await client.start(id);
    const code = await client.wait(id);
    const s = (Date.now() - t0) / 1000;
    console.log(`# in-container deadline: exit ${code} after ${s.toFixed(1)} s (timeout 1 s + 5 s grace)`);
    assert.ok(s < 15, `stopped by its own deadline (${s} s)`);
    // No worker with that id ever returns: any worker reaps it by its deadline label, once that
    // has passed. (The container can end before it: once in a CI run, `kill -TERM 1` reached
    // timeout before its child ignored TERM, and it exited 143 after 0.1 s.)
    const r = await client.reapExpired(Math.max(Date.now(), deadline + 1));
    assert.ok(r.containers >= 1 && r.volumes >= 1, JSON.stringify(r));
    assert.equal((await docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${tag}`] } })).length, 0);
  } finally {
    await client.remove(id);
    await client.removeVolume(tag);
  }
});

test('a job failed by BullMQ\'s stall check shows failed (WORKER_LOST), never running forever', async () => {
  const src = await makeStandInSources('ok', `stall-${Date.now()}`);
  const env = await makeTestEnv({ sourceDir: src, worker: false });
  let crashed: Worker | undefined;
  let live: Worker | undefined;
  const conns: Redis[] = [];
  const conn = () => {
    const c = env.core.redis.duplicate();
    conns.push(c);
    return c;
  };
  try {
    const kernel = await currentBookwormKernel(env.core);
    const { build } = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
    // A worker that takes the job and then stops renewing its lock, as a SIGKILLed one does.
    crashed = new Worker(
      env.config.redis.queue,
      async () => {
        await env.core.records.update(build.id, { state: 'running', stage: 'compile' });
        await new Promise(() => undefined);
      },
      { connection: conn(), prefix: env.config.redis.prefix, lockDuration: 1000, lockRenewTime: 3_600_000, stalledInterval: 500, maxStalledCount: 0 },
    );
    crashed.on('error', () => undefined);
    const job = await env.core.queue.getJob(build.id);
    assert.equal(job?.name, BUILD_JOB);
    // The lock expires, the stall check hands the job back marked as stalled too often…
    await until('stall detected', 20_000, async () => (await env.core.queue.getJob(build.id))?.getState().then((st) => st === 'waiting') ?? false);
    // …and the next live worker to fetch it fails it without running it.
    live = new Worker(env.config.redis.queue, async () => ({ key: build.id }), { connection: conn(), prefix: env.config.redis.prefix });
    live.on('error', () => undefined);
    const done = await waitForBuild(env.core, build.id, 20_000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'WORKER_LOST', JSON.stringify(done.error));
  } finally {
    await crashed?.close(true);
    await live?.close(true);
    for (const c of conns) c.disconnect();
    await env.cleanup();
    await rm(src, { recursive: true, force: true });
  }
});

test('shutdown against a long build stops within its grace and still removes the worker\'s containers', async () => {
  const src = await makeStandInSources('hang', `shutdown-${Date.now()}`);
  const env = await makeTestEnv({ sourceDir: src, worker: true });
  try {
    const kernel = await currentBookwormKernel(env.core);
    const { build } = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
    const mine = () => docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${env.runLabel}`] } });
    await until('container running', 120_000, async () => (await mine()).some((c) => c.State === 'running'));
    const t0 = Date.now();
    await Promise.race([
      env.worker?.close({ graceMs: 2000 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('close() still waiting for the 600 s build after 20 s')), 20_000)),
    ]);
    console.log(`# shutdown with a running build: closed and reaped in ${Date.now() - t0} ms`);
    assert.equal((await mine()).length, 0, 'no container left');
    const rec = await env.core.records.get(build.id);
    assert.notEqual(rec?.state, 'failed', 'an abandoned build is not recorded as failed: the stall check hands it on');
  } finally {
    await env.cleanup();
    await rm(src, { recursive: true, force: true });
  }
});
