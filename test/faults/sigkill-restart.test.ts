import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { LABEL_BUILD, LABEL_DEADLINE } from '../../worker/container-client.js';
import { makeStandInSources } from '../integration/helpers/stand-in-sources.js';
import { setupRedisUrl } from '../integration/helpers/setup-redis.js';
import { requireServices } from '../integration/helpers/services.js';
import { buildState, cleanRedis, freePort, makeDataDir, serviceEnv, startService, until } from './helpers/service-process.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const containersOf = (id: string) => docker.listContainers({ all: true, filters: { label: [`${LABEL_BUILD}=${id}`] } });

async function newestBookworm(url: string): Promise<string> {
  const { kernels } = (await (await fetch(`${url}/v1/kernels`)).json()) as { kernels: { release: string }[] };
  const r = kernels.map((k) => k.release).filter((k) => /^6\.1\.0-\d+-amd64$/.test(k));
  r.sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  return r[0] ?? assert.fail('no 6.1 kernel');
}

async function startBuild(url: string, kernel: string): Promise<string> {
  const r = await fetch(`${url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kernel }) });
  assert.ok(r.status === 202 || r.status === 200, await r.clone().text());
  return ((await r.json()) as { id: string }).id;
}

describe('SIGKILL of the service mid-build, then an immediate restart as systemd would do it', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  before(() => requireServices());
  after(async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  });

  it('comes up at once, removes the old container, and the job completes on the live worker', async () => {
    const src = await makeStandInSources('slow', `sigkill-${Date.now()}`, { slowSec: 15 });
    const dataDir = await makeDataDir();
    cleanup.push(() => rm(src, { recursive: true, force: true }), () => rm(dataDir, { recursive: true, force: true }));
    const env = serviceEnv({ dataDir, sourceDir: src, port: await freePort(), redisUrl: await setupRedisUrl() });
    cleanup.push(() => cleanRedis(env));
    const a = await startService(env);
    cleanup.push(async () => a.proc.kill('SIGKILL'));
    const id = await startBuild(a.url, await newestBookworm(a.url));
    const [old] = await until('build container running', 180_000, async () => { const r = (await containersOf(id)).filter((c) => c.State === 'running'); return r.length ? r : undefined; });
    assert.ok(old);

    a.proc.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    const b = await startService(env);
    cleanup.push(async () => b.proc.kill('SIGKILL'));
    const upMs = Date.now() - killedAt;
    const stillThere = (await containersOf(id)).some((c) => c.Id === old.Id);
    const view = await until('build finished', 150_000, async () => {
      const s = await buildState(b.url, id);
      return s && (s.state === 'succeeded' || s.state === 'failed') ? s : undefined;
    });
    const doneMs = Date.now() - killedAt;
    console.log(`# SIGKILL mid-build → restart up in ${upMs} ms (service start ${b.upMs} ms); old container ${stillThere ? 'STILL THERE' : 'gone'} at start; build ${view.state} ${doneMs} ms after the kill (BullMQ stall interval 30 s; the build itself sleeps 15 s)`);
    assert.ok(doneMs < 30_000 + 40_000, `done within the stall interval plus the build (${doneMs} ms)`);
    assert.equal(stillThere, false, 'the successor reaped the dead worker\'s container');
    assert.equal(view.state, 'succeeded', JSON.stringify(view.error));
    const t0 = Date.now();
    b.proc.kill('SIGTERM');
    assert.equal(await b.exited, 0, b.log());
    console.log(`# graceful stop after the drill: ${Date.now() - t0} ms`);
  });

  it('a killed worker that never returns: its container stops at its own deadline and any other worker removes it', async () => {
    const src = await makeStandInSources('hang', `orphan-${Date.now()}`);
    const dataDir = await makeDataDir();
    cleanup.push(() => rm(src, { recursive: true, force: true }), () => rm(dataDir, { recursive: true, force: true }));
    const env = serviceEnv({ dataDir, sourceDir: src, port: await freePort(), redisUrl: await setupRedisUrl(), extra: { KPY_BUILD_TIMEOUT_SEC: '10' } });
    cleanup.push(() => cleanRedis(env));
    const a = await startService(env);
    cleanup.push(async () => a.proc.kill('SIGKILL'));
    const id = await startBuild(a.url, await newestBookworm(a.url));
    const [c] = await until('build container running', 180_000, async () => { const r = (await containersOf(id)).filter((x) => x.State === 'running'); return r.length ? r : undefined; });
    assert.ok(c);
    a.proc.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    const deadline = Number(c.Labels[LABEL_DEADLINE]);
    await until('container stopped by its own timeout', 30_000, async () => (await docker.getContainer(c.Id).inspect()).State.Running === false);
    const stoppedMs = Date.now() - killedAt;
    // Another installation's worker (another id, another data directory) reaps it by its deadline label.
    const otherDir = await makeDataDir();
    cleanup.push(() => rm(otherDir, { recursive: true, force: true }));
    const otherEnv = serviceEnv({ dataDir: otherDir, sourceDir: src, port: await freePort(), redisUrl: await setupRedisUrl() });
    cleanup.push(() => cleanRedis(otherEnv));
    const other = await startService(otherEnv);
    cleanup.push(async () => other.proc.kill('SIGKILL'));
    await until('container removed', 90_000, async () => (await containersOf(id)).length === 0);
    const goneMs = Date.now() - killedAt;
    console.log(`# no worker returns: container stopped ${stoppedMs} ms after the kill (timeout 10 s + 5 s), removed by another worker ${goneMs} ms after (label deadline was ${deadline - killedAt} ms after the kill)`);
    assert.ok(Date.now() >= deadline, 'not removed before its deadline');
    other.proc.kill('SIGTERM');
    await other.exited;
  });
});
