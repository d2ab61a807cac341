import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { LABEL_BUILD } from '../../worker/container-client.js';
import { makeStandInSources } from '../integration/helpers/stand-in-sources.js';
import { requireServices } from '../integration/helpers/services.js';
import { OwnRedis } from './helpers/own-redis.js';
import { buildState, freePort, makeDataDir, serviceEnv, startService, until } from './helpers/service-process.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });

describe('Redis stopped and started mid-build (a Redis of the test\'s own)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  before(() => requireServices());
  after(async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  });

  it('answers 503 SERVICE_UNAVAILABLE within seconds while it is down, survives, and the build ends with a state once it is back', async () => {
    const redis = await OwnRedis.create();
    cleanup.push(() => redis.destroy());
    const src = await makeStandInSources('slow', `redis-${Date.now()}`, { slowSec: 12 });
    const dataDir = await makeDataDir();
    cleanup.push(() => rm(src, { recursive: true, force: true }), () => rm(dataDir, { recursive: true, force: true }));
    const env = serviceEnv({ dataDir, sourceDir: src, port: await freePort(), redisUrl: redis.url });
    const svc = await startService(env);
    cleanup.push(async () => svc.proc.kill('SIGKILL'));
    const { kernels } = (await (await fetch(`${svc.url}/v1/kernels`)).json()) as { kernels: { release: string }[] };
    const kernel = kernels.map((k) => k.release).filter((k) => /^6\.1\.0-\d+-amd64$/.test(k)).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))[0];
    const post = await fetch(`${svc.url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kernel }) });
    const { id } = (await post.json()) as { id: string };
    await until('build container running', 180_000, async () => (await docker.listContainers({ filters: { label: [`${LABEL_BUILD}=${id}`] } })).length > 0);

    await redis.stop();
    const downAt = Date.now();
    const probes: { path: string; status: number; code?: string; ms: number }[] = [];
    for (const [path, init] of [
      [`/v1/builds/${id}`, {}],
      ['/v1/kernels', {}],
      ['/v1/builds', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kernel }) }],
    ] as [string, RequestInit][]) {
      const t0 = Date.now();
      const r = await fetch(`${svc.url}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
      const body = (await r.json().catch(() => ({}))) as { code?: string };
      probes.push({ path, status: r.status, ...(body.code ? { code: body.code } : {}), ms: Date.now() - t0 });
    }
    await new Promise((r) => setTimeout(r, 8000));
    assert.equal(svc.proc.exitCode, null, `the process survived the outage:\n${svc.log()}`);
    await redis.start();
    const upAt = Date.now();
    const view = await until('build ended', 150_000, async () => {
      const s = await buildState(svc.url, id);
      return s && (s.state === 'succeeded' || s.state === 'failed') ? s : undefined;
    });
    console.log(`# Redis down ${upAt - downAt} ms: ${probes.map((p) => `${p.path} → ${p.status} ${p.code ?? ''} in ${p.ms} ms`).join('; ')}`);
    console.log(`# after Redis returned: build ${view.state}${view.error ? ` (${view.error.code})` : ''} ${Date.now() - upAt} ms later; process alive: ${svc.proc.exitCode === null}`);
    for (const p of probes) {
      assert.equal(p.status, 503, JSON.stringify(p));
      assert.equal(p.code, 'SERVICE_UNAVAILABLE');
      assert.ok(p.ms < 5000, `answered within seconds (${p.ms} ms)`);
    }
    assert.ok(view.state === 'succeeded' || view.error?.code, 'a success or a failure with a code');
    assert.equal(svc.proc.exitCode, null, 'still alive');
    // A finished build's status is kept in memory (server/finished-views.ts); it is
    // still only served while Redis can confirm it: down again, the kept one answers 503 too.
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${svc.url}/v1/builds/${id}`)).status, 200);
    await redis.stop();
    const t1 = Date.now();
    const kept = await fetch(`${svc.url}/v1/builds/${id}`, { signal: AbortSignal.timeout(30_000) });
    assert.equal(kept.status, 503, await kept.clone().text());
    assert.equal(((await kept.json()) as { code: string }).code, 'SERVICE_UNAVAILABLE');
    assert.ok(Date.now() - t1 < 5000, `answered within seconds (${Date.now() - t1} ms)`);
    await redis.start();
    await until('kept status served again', 30_000, async () => (await fetch(`${svc.url}/v1/builds/${id}`)).status === 200);
    svc.proc.kill('SIGTERM');
    assert.equal(await svc.exited, 0, svc.log());
  });
});
