import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestEnv } from './helpers/test-core.js';
import { startServedEnv, type ServedEnv } from './helpers/served-env.js';

/** Tokens, rate limit and queue length: 401 and 429 as problem+json with stable codes (no worker: nothing builds). */
describe('writes need a token once configured; rate and queue limits answer 429', () => {
  const TOKEN = 'test-token-0123456789';
  let served: ServedEnv;
  let env: TestEnv;
  let server: ServedEnv['server'];
  let kernels: string[];

  before(async () => {
    served = await startServedEnv('limits', {
      worker: false,
      env: { KPY_TOKENS: `other-token,${TOKEN}`, KPY_RATE_LIMIT_PER_MIN: '6', KPY_MAX_QUEUE: '1' },
    });
    ({ env, server } = served);
    const list = await env.core.resolver.listReleases();
    kernels = list.map((k) => k.release).filter((r) => /^6\.1\.0-\d+-amd64$/.test(r)).slice(0, 2);
    assert.equal(kernels.length, 2, 'two bookworm releases to queue');
  });
  after(async () => {
    await served?.close();
  });

  const post = (body: unknown, token?: string) =>
    fetch(`${server.url}/v1/builds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const problem = async (res: Response, status: number, code: string) => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const p = JSON.parse(text) as { code: string; status: number; type: string; title: string; instance: string };
    assert.equal(p.code, code);
    assert.equal(p.status, status);
    assert.equal(p.type, `urn:kpython:problem:${code}`);
    assert.ok(p.title && p.instance);
    return p;
  };

  it('401 UNAUTHORIZED without a valid bearer token, before anything is resolved or queued', async () => {
    const missing = await post({ kernel: kernels[0] });
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="kpython"');
    await problem(missing, 401, 'UNAUTHORIZED');
    await problem(await post({ kernel: kernels[0] }, 'wrong-token'), 401, 'UNAUTHORIZED');
    await problem(await post({ kernel: kernels[0] }, `${TOKEN}x`), 401, 'UNAUTHORIZED');
    await problem(await fetch(`${server.url}/v1/kernels/${kernels[0]}/kpython.ko`), 401, 'UNAUTHORIZED');
    await problem(await fetch(`${server.url}/v1/headers`, { method: 'POST', headers: { 'content-type': 'application/x-tar' }, body: 'x' }), 401, 'UNAUTHORIZED');
    assert.equal((await env.core.queue.getJobCounts('waiting')).waiting, 0);
    // Reads stay open.
    assert.equal((await fetch(`${server.url}/v1/kernels`)).status, 200);
    assert.equal((await fetch(`${server.url}/v1/keys/artifact-signing.pem`)).status, 200);
  });

  it('429 QUEUE_FULL once the queue holds KPY_MAX_QUEUE builds', async () => {
    const first = await post({ kernel: kernels[0] }, TOKEN);
    assert.equal(first.status, 202, await first.clone().text());
    const again = await post({ kernel: kernels[0] }, TOKEN);
    assert.equal(again.status, 202, 'an identical request joins the queued build');
    const p = await problem(await post({ kernel: kernels[1] }, TOKEN), 429, 'QUEUE_FULL');
    assert.match(p.title, /queued/);
    assert.equal((await env.core.queue.getJobCounts('waiting')).waiting, 1);
  });

  it('429 RATE_LIMITED with Retry-After past the per-client write budget', async () => {
    // 3 writes so far; the budget is 6 per minute.
    for (let i = 0; i < 3; i++) await problem(await post({}, TOKEN), 400, 'VALIDATION_FAILED');
    const limited = await post({ kernel: kernels[0] }, TOKEN);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    await problem(limited, 429, 'RATE_LIMITED');
    await problem(await post({ kernel: kernels[1] }, TOKEN), 429, 'RATE_LIMITED');
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200, 'reads are not rate limited');
  });
});
