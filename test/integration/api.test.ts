import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from '../../lib/sha256.js';
import { parseModuleSignature } from '../../lib/signing/module-signature.js';
import { currentBookwormKernel, type TestEnv } from './helpers/test-core.js';
import { startServedEnv, type ServedEnv } from './helpers/served-env.js';
import { readSse } from './helpers/test-server.js';

describe('HTTP API against real Redis and Docker', () => {
  let served: ServedEnv;
  let env: TestEnv;
  let server: ServedEnv['server'];
  let kernel: string;

  before(async () => {
    served = await startServedEnv('api', { worker: true, env: { KPY_MAX_BODY_BYTES: '1024' } });
    ({ env, server } = served);
    kernel = await currentBookwormKernel(env.core);
  });
  after(async () => {
    await served?.close();
  });

  const post = (body: string, type = 'application/json') =>
    fetch(`${server.url}/v1/builds`, { method: 'POST', headers: { 'content-type': type }, body });

  const problem = async (res: Response, status: number, code: string) => {
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const p = (await res.json()) as { code: string; status: number; type: string; instance: string };
    assert.equal(p.code, code);
    assert.equal(p.status, status);
    assert.ok(p.instance, 'instance = request id');
    return p;
  };

  it('refuses bad input before any container starts', async () => {
    await problem(await post('{"kernel": "9.9.9-999-nope"}'), 404, 'KERNEL_NOT_FOUND');
    await problem(await post('{"kernel": '), 400, 'BAD_REQUEST');
    await problem(await post('kernel=6.1.0-56-amd64', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await problem(await post(JSON.stringify({ kernel, version: 'x'.repeat(4000) })), 413, 'PAYLOAD_TOO_LARGE');
    await problem(await post('{}'), 400, 'VALIDATION_FAILED');
    await problem(await post(JSON.stringify({ kernel, extra: 1 })), 400, 'VALIDATION_FAILED');
    await problem(await fetch(`${server.url}/v1/builds/nothex`), 404, 'BUILD_NOT_FOUND');
    await problem(await fetch(`${server.url}/v1/builds/${'0'.repeat(64)}`), 404, 'BUILD_NOT_FOUND');
    await problem(await fetch(`${server.url}/v1/nope`), 404, 'NOT_FOUND');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /kpython_containers_started_total 0/);
  });

  it('POST → 202 + Location → live SSE log → succeeded → artifacts with ETag', async () => {
    const res = await post(JSON.stringify({ kernel }));
    assert.equal(res.status, 202);
    const location = res.headers.get('location');
    assert.ok(location);
    const build = (await res.json()) as { id: string; state: string };
    assert.equal(location, `/v1/builds/${build.id}`);
    assert.ok(['queued', 'running'].includes(build.state));

    const sse = await fetch(`${server.url}${location}/log`, { headers: { accept: 'text/event-stream' } });
    assert.match(sse.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = await readSse(sse);
    assert.equal(events.at(-1)?.event, 'end');
    assert.equal(events.at(-1)?.data, 'succeeded');
    assert.ok(events.some((e) => e.event === 'line' && /LD \[M\]/.test(e.data)), 'compiler output streamed');

    const state = (await (await fetch(`${server.url}${location}`)).json()) as {
      state: string;
      artifacts: { name: string; sha256: string; url: string }[];
    };
    assert.equal(state.state, 'succeeded');
    const names = state.artifacts.map((a) => a.name).sort();
    assert.deepEqual(names.filter((n) => !/\.deb(\.sig)?$/.test(n)), ['build.log', 'kpython.ko', 'kpython.ko.debug', 'kpython.ko.sig', 'kpython.unsigned.ko', 'provenance.json']);
    // An archive build also publishes its Debian packages, each with a detached signature.
    const debs = names.filter((n) => n.endsWith('.deb'));
    assert.deepEqual(debs.map((n) => n.split('_')[0]), ['kpython-client', 'kpython-dkms', `kpython-modules-${kernel}`]);
    for (const n of debs) assert.ok(names.includes(`${n}.sig`), `${n}.sig`);
    const debUrl = state.artifacts.find((a) => a.name === debs[2])?.url as string;
    const debRes = await fetch(`${server.url}${debUrl}`);
    assert.equal(debRes.status, 200);
    assert.equal(Buffer.from(await debRes.arrayBuffer()).subarray(0, 8).toString(), '!<arch>\n');
    const ko = state.artifacts.find((a) => a.name === 'kpython.ko');
    assert.ok(ko);
    const dl = await fetch(`${server.url}${ko.url}`);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('etag'), `"${ko.sha256}"`);
    assert.match(dl.headers.get('cache-control') ?? '', /immutable/, 'a succeeded build\'s module never changes under its key');
    const bytes = Buffer.from(await dl.arrayBuffer());
    assert.equal(sha256Hex(bytes), ko.sha256);
    assert.ok(parseModuleSignature(bytes));
    const cached = await fetch(`${server.url}${ko.url}`, { headers: { 'if-none-match': `"${ko.sha256}"` } });
    assert.equal(cached.status, 304);
    // Later downloads come from memory (server/hot-artifacts.ts): the same bytes and headers.
    const headersOf = (r: Response) => ['etag', 'digest', 'cache-control', 'content-type', 'content-length', 'content-disposition'].map((h) => r.headers.get(h));
    for (let i = 0; i < 3; i++) {
      const fromMemory: Response = await fetch(`${server.url}${ko.url}`);
      assert.deepEqual(headersOf(fromMemory), headersOf(dl));
      assert.ok(Buffer.from(await fromMemory.arrayBuffer()).equals(bytes));
    }
    const hotHead = await fetch(`${server.url}${ko.url}`, { method: 'HEAD' });
    assert.deepEqual(headersOf(hotHead), headersOf(dl));
    assert.equal((await hotHead.arrayBuffer()).byteLength, 0);
    assert.equal((await fetch(`${server.url}${ko.url}`, { headers: { 'if-none-match': `W/"x", "${ko.sha256}"` } })).status, 304);

    const again = await post(JSON.stringify({ kernel }));
    assert.equal(again.status, 200, 'cache hit answers 200');

    const byRelease = await fetch(`${server.url}/v1/kernels/${kernel}/kpython.ko`);
    assert.equal(byRelease.status, 200);
    assert.equal(byRelease.headers.get('x-kpython-build'), build.id);
    // The release URL moves to the next build of that release: cached only with revalidation.
    assert.equal(byRelease.headers.get('cache-control'), 'no-cache');
    assert.equal(byRelease.headers.get('etag'), `"${ko.sha256}"`);
    const head = await fetch(`${server.url}/v1/kernels/${kernel}/kpython.ko`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.ok(Buffer.from(await byRelease.arrayBuffer()).equals(bytes));

    const plain = await (await fetch(`${server.url}${location}/log`)).text();
    assert.match(plain, /LD \[M\]/);
    const replay = await readSse(await fetch(`${server.url}${location}/log`, { headers: { accept: 'text/event-stream' } }));
    assert.equal(replay.at(-1)?.data, 'succeeded');
  });

  it('serves a finished build\'s status from memory until its record changes, with the same headers', async () => {
    const { id } = (await (await post(JSON.stringify({ kernel }))).json()) as { id: string };
    const url = `${server.url}/v1/builds/${id}`;
    const first = await fetch(url); // the full route: keeps the view
    const body = await first.text();
    assert.equal(JSON.parse(body).state, 'succeeded');
    const same = ['content-type', 'content-length'];
    for (let i = 0; i < 3; i++) {
      const again = await fetch(url, { headers: { 'x-request-id': `hot-${i}` } });
      assert.deepEqual(same.map((h) => again.headers.get(h)), same.map((h) => first.headers.get(h)));
      assert.equal(again.headers.get('x-request-id'), `hot-${i}`);
      assert.equal(await again.text(), body);
    }
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), first.headers.get('content-length'));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    // Proof that memory answered: a field changed behind the API's back, without a new rev token,
    // is not seen; the same change with a new token is seen at once.
    const key = `${env.config.redis.prefix}:build:${id}`;
    const createdAt = JSON.parse(body).createdAt as string;
    const tampered = '2000-01-01T00:00:00.000Z';
    await env.core.redis.hset(key, 'createdAt', tampered);
    assert.equal(((await (await fetch(url)).json()) as { createdAt: string }).createdAt, createdAt);
    await env.core.redis.hset(key, 'rev', 'changed-behind-the-api');
    assert.equal(((await (await fetch(url)).json()) as { createdAt: string }).createdAt, tampered);
    // Every change through the records (a rebuild, a retry, a lost worker) shows on the next read.
    await env.core.records.update(id, { state: 'failed', error: { code: 'WORKER_LOST', message: 'drill' } });
    const failed = (await (await fetch(url)).json()) as { state: string; error: { code: string } | null };
    assert.deepEqual([failed.state, failed.error?.code], ['failed', 'WORKER_LOST']);
    await env.core.records.update(id, { state: 'succeeded', stage: 'done', error: undefined, createdAt });
    const back = (await (await fetch(url)).json()) as { state: string; error: unknown };
    assert.deepEqual([back.state, back.error], ['succeeded', null]);
  });

  it('lists kernels, serves keys, health, readiness, metrics and the OpenAPI document', async () => {
    const k = (await (await fetch(`${server.url}/v1/kernels`)).json()) as { kernels: { release: string; built: boolean }[] };
    assert.ok(k.kernels.length > 5);
    assert.equal(k.kernels.find((x) => x.release === kernel)?.built, true);
    const der = await fetch(`${server.url}/v1/keys/module-signing.der`);
    assert.equal(der.headers.get('content-type'), 'application/pkix-cert');
    assert.equal(Buffer.from(await der.arrayBuffer())[0], 0x30);
    assert.match(await (await fetch(`${server.url}/v1/keys/artifact-signing.pem`)).text(), /BEGIN PUBLIC KEY/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200, await ready.clone().text());
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /kpython_builds_total\{state="succeeded",code=""\} 1/);
    assert.match(metrics, /kpython_build_requests_total\{outcome="cached"\}/);
    assert.match(metrics, /kpython_queue_jobs/);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/v1/builds/{id}/log']);
  });
});
