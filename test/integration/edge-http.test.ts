import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArtifactStore } from '../../lib/artifact-store.js';
import { buildDirEntries, gz, makeTar } from '../unit/headers-fixture.js';
import { startServedEnv, type ServedEnv } from './helpers/served-env.js';
import { readSse } from './helpers/test-server.js';

type Problem = { code: string; status: number; detail: string };
const TOKEN = 'edge-token-0123456789';

/** Upload a minimal headers tree (unique per release name) and return its id. */
async function uploadTree(url: string, release: string, token?: string): Promise<string> {
  const body = gz(await makeTar(buildDirEntries({ release })));
  const res = await fetch(`${url}/v1/headers`, {
    method: 'POST',
    headers: { 'content-type': 'application/gzip', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: new Uint8Array(body.buffer, body.byteOffset, body.length) as unknown as BodyInit,
  });
  const j = (await res.json()) as { id: string };
  assert.ok(res.status === 201 || res.status === 200, JSON.stringify(j));
  return j.id;
}

describe('the CI fetch checks auth before any work, and HEAD never builds', () => {
  let served: ServedEnv;
  let cache: string;
  let release: string;

  before(async () => {
    // A cache of its own: nothing is downloaded for this test's kernels yet (the archive index is shared).
    cache = await mkdtemp(join(tmpdir(), 'kpy-edge-cache-'));
    served = await startServedEnv('ci-fetch', { worker: false, env: { KPY_TOKENS: TOKEN, KPY_CACHE_DIR: cache } });
    const list = await served.env.core.resolver.listReleases();
    const r = list.map((k) => k.release).filter((x) => /^6\.1\.0-\d+-amd64$/.test(x));
    assert.ok(r[0]);
    release = r[0];
  });
  after(async () => {
    await served?.close();
    await rm(cache, { recursive: true, force: true });
  });

  const downloaded = async () => [...(await readdir(join(cache, 'debs')).catch(() => [])), ...(await readdir(join(cache, 'kconfig')).catch(() => []))];

  it('anonymous: 401 at once, no header package downloaded or unpacked', async () => {
    const res = await fetch(`${served.server.url}/v1/kernels/${release}/kpython.ko`);
    const text = await res.text();
    assert.equal(res.status, 401, text);
    assert.equal((JSON.parse(text) as Problem).code, 'UNAUTHORIZED');
    assert.deepEqual(await downloaded(), [], 'nothing fetched for an anonymous client');
    const head = await fetch(`${served.server.url}/v1/kernels/${release}/kpython.ko`, { method: 'HEAD' });
    assert.equal(head.status, 401);
    assert.deepEqual(await downloaded(), []);
  });

  it('HEAD with a token: 404 for a module not built, and no build queued', async () => {
    const head = await fetch(`${served.server.url}/v1/kernels/${release}/kpython.ko`, { method: 'HEAD', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(head.status, 404);
    const counts = await served.env.core.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    assert.deepEqual(Object.values(counts).reduce((a, b) => a + b, 0), 0, JSON.stringify(counts));
  });
});

describe('queue length is enforced atomically under concurrent requests', () => {
  let served: ServedEnv;
  before(async () => {
    served = await startServedEnv('admission', { worker: false, env: { KPY_MAX_QUEUE: '3', KPY_RATE_LIMIT_PER_MIN: '1000' } });
  });
  after(async () => {
    await served?.close();
  });

  it('12 concurrent POSTs of distinct builds with KPY_MAX_QUEUE=3: exactly 3 queued, 9 answered 429 QUEUE_FULL', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await uploadTree(served.server.url, `6.1.0-${900 + i}-amd64`));
    const answers = await Promise.all(
      ids.map((h) =>
        fetch(`${served.server.url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ headers: h }) }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as Problem,
        })),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses.filter((s) => s === 202).length, 3, JSON.stringify(statuses));
    assert.ok(answers.filter((a) => a.status === 429).every((a) => a.body.code === 'QUEUE_FULL'));
    const counts = await served.env.core.queue.getJobCounts('waiting', 'delayed', 'prioritized');
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 3);
  });
});

describe('caching headers follow mutability; SSE followers end and are capped', () => {
  let served: ServedEnv;
  const ok = 'a'.repeat(64);
  const failed = 'b'.repeat(64);

  before(async () => {
    served = await startServedEnv('edge', { worker: false, env: { KPY_MAX_LOG_FOLLOWERS_PER_CLIENT: '3' } });
    const store = new ArtifactStore(served.env.dataDir);
    await store.commit(ok, new Map([['kpython.ko', Buffer.from('module')], ['build.log', Buffer.from('line one\n')], ['provenance.json', Buffer.from('{}')]]), {
      key: ok,
      release: '6.1.0-1-amd64',
      unsignedSha256: 'c'.repeat(64),
      vermagic: 'x',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: 1,
    });
    await store.commitFailure(failed, Buffer.from('it broke\n'), { key: failed, error: { code: 'COMPILE_ERROR', message: 'x' } });
    await served.env.core.records.update(failed, { state: 'failed', error: { code: 'COMPILE_ERROR', message: 'x' } });
  });
  after(async () => {
    await served?.close();
  });

  it('artifacts of a succeeded build are immutable with ETag = sha256; a failed build\'s log and forced-rebuild files revalidate', async () => {
    const ko = await fetch(`${served.server.url}/v1/builds/${ok}/artifacts/kpython.ko`);
    assert.equal(ko.status, 200);
    assert.match(ko.headers.get('cache-control') ?? '', /immutable/);
    assert.match(ko.headers.get('etag') ?? '', /^"[0-9a-f]{64}"$/);
    const prov = await fetch(`${served.server.url}/v1/builds/${ok}/artifacts/provenance.json`);
    assert.doesNotMatch(prov.headers.get('cache-control') ?? '', /immutable/);
    const log = await fetch(`${served.server.url}/v1/builds/${failed}/artifacts/build.log`);
    assert.equal(log.status, 200, await log.clone().text());
    assert.doesNotMatch(log.headers.get('cache-control') ?? '', /immutable/);
    const plain = await fetch(`${served.server.url}/v1/builds/${failed}/log`);
    assert.equal(await plain.text(), 'it broke\n');
    assert.doesNotMatch(plain.headers.get('cache-control') ?? '', /immutable/);
    const m = await fetch(`${served.server.url}/v1/builds/${ok}/artifacts/kpython.ko`, { headers: { 'if-none-match': `W/"x", ${ko.headers.get('etag')}` } });
    assert.equal(m.status, 304);
  });

  /** A live stream as a worker leaves it: lines, then the end entry. */
  async function endedStream(id: string): Promise<string[]> {
    const { logs, records } = served.env.core;
    await records.update(id, { state: 'succeeded' });
    await logs.reset(id);
    logs.append(id, 'one');
    logs.append(id, 'two');
    await logs.flush();
    await logs.end(id, 'succeeded');
    return (await logs.snapshot(id)).map((e) => e.id);
  }

  it('a follower resuming at the end, or with "$", gets the end event and the stream closes', async () => {
    const id = 'd'.repeat(64);
    const ids = await endedStream(id);
    const endId = ids.at(-1) as string;
    for (const last of [endId, '$', ids[0] as string]) {
      const res = await fetch(`${served.server.url}/v1/builds/${id}/log`, {
        headers: { accept: 'text/event-stream', 'last-event-id': last },
        signal: AbortSignal.timeout(5000),
      });
      const events = await readSse(res);
      assert.equal(events.at(-1)?.event, 'end', `resumed at ${last}: ${JSON.stringify(events)}`);
      assert.equal(events.at(-1)?.data, 'succeeded');
      if (last === ids[0]) assert.deepEqual(events.filter((e) => e.event === 'line').map((e) => e.data), ['two']);
    }
  });

  it('a follower of a live build gets lines as they come, then the end', async () => {
    const id = 'f'.repeat(64);
    const { logs, records } = served.env.core;
    await records.update(id, { state: 'running' });
    await logs.reset(id);
    const res = await fetch(`${served.server.url}/v1/builds/${id}/log`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(10_000) });
    const reading = readSse(res);
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 5; i++) logs.append(id, `live ${i}`);
    await logs.flush();
    await new Promise((r) => setTimeout(r, 300));
    await logs.end(id, 'failed');
    const events = await reading;
    assert.deepEqual(events.filter((e) => e.event === 'line').map((e) => e.data), ['live 0', 'live 1', 'live 2', 'live 3', 'live 4']);
    assert.equal(events.at(-1)?.event, 'end');
  });

  it('past KPY_MAX_LOG_FOLLOWERS_PER_CLIENT live streams: 429 TOO_MANY_FOLLOWERS; a closed one frees its slot', async () => {
    const id = '9'.repeat(64);
    await served.env.core.records.update(id, { state: 'running' });
    const ctrls = [0, 1, 2].map(() => new AbortController());
    const open = await Promise.all(ctrls.map((c) => fetch(`${served.server.url}/v1/builds/${id}/log`, { headers: { accept: 'text/event-stream' }, signal: c.signal })));
    assert.ok(open.every((r) => r.status === 200));
    const refused = await fetch(`${served.server.url}/v1/builds/${id}/log`, { headers: { accept: 'text/event-stream' } });
    const text = await refused.text();
    assert.equal(refused.status, 429, text);
    assert.equal((JSON.parse(text) as Problem).code, 'TOO_MANY_FOLLOWERS');
    ctrls[0]?.abort();
    await new Promise((r) => setTimeout(r, 200));
    const c = new AbortController();
    const again = await fetch(`${served.server.url}/v1/builds/${id}/log`, { headers: { accept: 'text/event-stream' }, signal: c.signal });
    assert.equal(again.status, 200);
    c.abort();
    for (const x of ctrls) x.abort();
  });
});
