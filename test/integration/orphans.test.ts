import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import Docker from 'dockerode';
import { readBuilderImage } from '../../lib/builder-images.js';
import { LABEL_APP, LABEL_RUN, LABEL_WORKER } from '../../worker/container-client.js';
import { DockerContainerClient } from '../../worker/docker-container-client.js';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { makeTestEnv, REPO_ROOT } from './helpers/test-core.js';
import { requireServices } from './helpers/services.js';

test('a starting worker removes the containers and volumes its crashed predecessor left', async () => {
  await requireServices();
  const workerId = `orphan-${randomBytes(4).toString('hex')}`;
  const labels = { [LABEL_APP]: 'kpython', [LABEL_WORKER]: workerId, [LABEL_RUN]: workerId };
  const client = new DockerContainerClient('/var/run/docker.sock');
  const image = await readBuilderImage(`${REPO_ROOT}/data`, 'bookworm-gcc12');
  const name = `kpy-orphan-${workerId}`;
  await client.createVolume(name, labels);
  const id = await client.create({
    image: image.id, name, labels, cmd: ['sleep', '600'], env: {}, volume: name, workDir: '/build',
    tmpfs: {}, memoryBytes: 64 * 1024 * 1024, pids: 16, cpus: 0.5,
  });
  await client.start(id);
  const other = { ...labels, [LABEL_WORKER]: `${workerId}-other` };
  await client.createVolume(`${name}-other`, other);
  const otherId = await client.create({
    image: image.id, name: `${name}-other`, labels: other, cmd: ['true'], env: {}, volume: `${name}-other`, workDir: '/build',
    tmpfs: {}, memoryBytes: 64 * 1024 * 1024, pids: 16, cpus: 0.5,
  });
  const src = await makeStandInSources('ok');
  const env = await makeTestEnv({ sourceDir: src, worker: true, env: { KPY_WORKER_ID: workerId } });
  try {
    const docker = new Docker({ socketPath: '/var/run/docker.sock' });
    const mine = await docker.listContainers({ all: true, filters: { label: [`${LABEL_WORKER}=${workerId}`] } });
    assert.equal(mine.length, 0, 'own orphan removed');
    const theirs = await docker.listContainers({ all: true, filters: { label: [`${LABEL_WORKER}=${workerId}-other`] } });
    assert.equal(theirs.length, 1, "another worker's container is left alone");
    const vols = (await docker.listVolumes({ filters: { label: [`${LABEL_WORKER}=${workerId}`] } })).Volumes ?? [];
    assert.equal(vols.length, 0, 'own orphaned volume removed');
  } finally {
    await client.remove(otherId);
    await client.removeVolume(`${name}-other`);
    await client.removeVolume(name);
    await env.cleanup();
    await rm(src, { recursive: true, force: true });
  }
});

test('a second live worker with the same id is refused (it would reap the first one\'s builds); the id is free once the first closes', async () => {
  await requireServices();
  const hex = randomBytes(4).toString('hex');
  const same = { KPY_WORKER_ID: `lease-${hex}`, KPY_REDIS_PREFIX: `kpytest-lease-${hex}` };
  const src = await makeStandInSources('ok');
  const first = await makeTestEnv({ sourceDir: src, worker: true, env: same });
  try {
    await assert.rejects(makeTestEnv({ sourceDir: src, worker: true, env: same }), (err: unknown) => {
      assert.equal((err as { code?: string }).code, 'WORKER_ID_IN_USE');
      return true;
    });
    await first.worker?.close();
    const next = await makeTestEnv({ sourceDir: src, worker: true, env: same });
    await next.cleanup();
  } finally {
    await first.cleanup();
    await rm(src, { recursive: true, force: true });
  }
});
