import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BuildMeta } from '../../lib/artifact-store.js';
import type { UploadedHeaders } from '../../lib/headers/headers-meta.js';
import { sha256Hex } from '../../lib/sha256.js';
import { blobKey, RemoteArtifactStore } from '../../lib/store/remote-artifact-store.js';
import { RemoteHeadersStore } from '../../lib/store/remote-headers-store.js';
import { emptyBucket, testBucket } from '../faults/helpers/fleet.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const timed = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

function metaOf(key: string, unsignedSha256: string): Omit<BuildMeta, 'artifacts'> {
  const now = new Date().toISOString();
  return { key, release: '6.1.0-99-amd64', unsignedSha256, vermagic: '6.1.0-99-amd64 SMP', trust: 'archive', startedAt: now, finishedAt: now, durationMs: 1, worker: 'test' };
}

describe('the S3 store against a real S3 server (Swift s3api on loopback)', () => {
  const bucket = `kpytest-store-${randomBytes(4).toString('hex')}`;
  const objects = testBucket(bucket);
  let dir: string;

  before(async () => {
    await objects.ensureBucket();
    dir = await mkdtemp(join(tmpdir(), 'kpy-s3-'));
  });
  after(async () => {
    await emptyBucket(objects).catch(() => undefined);
    objects.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('put/get latency: a module and a 13 MiB headers upload', async () => {
    const ko = randomBytes(700 * 1024);
    const puts: number[] = [];
    const gets: number[] = [];
    for (let i = 0; i < 9; i++) {
      const key = `lat/ko-${i}`;
      puts.push(await timed(() => objects.put(key, ko)));
      gets.push(await timed(async () => assert.deepEqual(await objects.get(key), ko)));
    }
    const tar = join(dir, 'headers.tar');
    await writeFile(tar, randomBytes(13 * 1024 * 1024));
    const bigPuts: number[] = [];
    const bigGets: number[] = [];
    for (let i = 0; i < 3; i++) {
      bigPuts.push(await timed(() => objects.putFile(`lat/headers-${i}`, tar, 13 * 1024 * 1024)));
      bigGets.push(await timed(() => objects.getToFile(`lat/headers-${i}`, join(dir, `back-${i}`))));
    }
    assert.equal(sha256Hex(await readFile(join(dir, 'back-0'))), sha256Hex(await readFile(tar)));
    console.log(
      `# s3 latency: 700 KiB module put ${median(puts).toFixed(1)} ms / get ${median(gets).toFixed(1)} ms (median of 9); ` +
        `13 MiB headers put ${median(bigPuts).toFixed(0)} ms / get ${median(bigGets).toFixed(0)} ms (median of 3)`,
    );
    assert.equal(await objects.get('lat/absent'), undefined, 'a missing key is undefined, not an error');
    assert.equal(await objects.exists('lat/ko-0'), true);
  });

  it('publishes by meta last: a reader sees a whole build or none; identical concurrent commits are harmless', async () => {
    const key = sha256Hex(`build-${bucket}`);
    const module = randomBytes(4096);
    const files = () => new Map([['kpython.ko', module], ['provenance.json', Buffer.from(`{"at":"${Math.random()}"}`)], ['build.log', Buffer.from('log\n')]]);
    // Two workers (their own caches) commit the same key at once while a third process reads.
    const [w1, w2, reader] = ['w1', 'w2', 'reader'].map((n) => new RemoteArtifactStore(objects, join(dir, n))) as [RemoteArtifactStore, RemoteArtifactStore, RemoteArtifactStore];
    let sawWhole = 0;
    let reading = true;
    const watch = (async () => {
      while (reading) {
        const m = await reader.meta(key);
        if (m) {
          for (const a of m.artifacts) {
            // The digest of the meta this reader holds: a concurrent publish may replace the meta meanwhile.
            const p = await reader.path(key, a.name, a.sha256);
            assert.ok(p, `${a.name} is there once the meta is`);
            assert.equal(sha256Hex(await readFile(p)), a.sha256);
          }
          sawWhole++;
          return;
        }
      }
    })();
    const [m1, m2] = await Promise.all([w1.commit(key, files(), metaOf(key, sha256Hex(module))), w2.commit(key, files(), metaOf(key, sha256Hex(module)))]);
    reading = false;
    await watch;
    assert.equal(m1.unsignedSha256, m2.unsignedSha256);
    const published = await reader.meta(key);
    assert.ok(published && sawWhole === 1, 'the reader saw the published build whole');
    assert.ok([m1, m2].some((m) => m.artifacts.every((a, i) => a.sha256 === published.artifacts[i]?.sha256)), 'one of the commits is the published one');
    assert.deepEqual(await w2.meta(key), published, 'every process converges on the meta that stayed');
    // A later commit answers with the published meta; different module bytes are refused.
    assert.deepEqual(await w1.commit(key, files(), metaOf(key, sha256Hex(module))), published);
    await assert.rejects(w2.commit(key, files(), metaOf(key, 'f'.repeat(64))), /NOT_REPRODUCIBLE|unsigned sha256/);
    assert.ok((await reader.list()).some((m) => m.key === key));
  });

  it('keeps a failure log until the build succeeds', async () => {
    const key = sha256Hex(`failed-${bucket}`);
    const s = new RemoteArtifactStore(objects, join(dir, 'f'));
    await s.commitFailure(key, Buffer.from('it broke\n'), { key, error: { code: 'COMPILE_ERROR', message: 'x' } });
    assert.equal(await readFile((await s.path(key, 'build.log')) as string, 'utf8'), 'it broke\n');
    assert.equal(await s.has(key), false);
    await s.commit(key, new Map([['kpython.ko', Buffer.from('ko')], ['build.log', Buffer.from('fine\n')]]), metaOf(key, sha256Hex('ko')));
    assert.equal(await readFile((await s.path(key, 'build.log')) as string, 'utf8'), 'fine\n');
    assert.equal(await objects.exists(`failures/${key}.json`), false);
  });

  it('uploaded headers: committed on one machine, fetched by content address and checked on another', async () => {
    const tarBytes = randomBytes(64 * 1024);
    const id = sha256Hex(tarBytes);
    const api = new RemoteHeadersStore(join(dir, 'api-headers'), objects);
    const scratch = await api.scratch();
    await writeFile(join(scratch, 'headers.tar'), tarBytes);
    const meta = { id, release: '6.1.0-99-amd64', arch: 'x86_64', tarBytes: tarBytes.length } as unknown as UploadedHeaders;
    assert.equal(await api.commit(join(scratch, 'headers.tar'), meta), true);
    const worker = new RemoteHeadersStore(join(dir, 'worker-headers'), objects);
    const [a, b] = await Promise.all([worker.get(id), worker.get(id)]);
    assert.equal(a?.id, id);
    assert.equal(b?.id, id);
    assert.equal(sha256Hex(await readFile(worker.tarPath(id))), id, 'cached locally, the bytes the id names');
    // Bytes changed in the bucket behind the id are refused, not built.
    await objects.put(blobKey(id), randomBytes(100));
    const other = new RemoteHeadersStore(join(dir, 'other-headers'), objects);
    await assert.rejects(other.get(id), /downloaded with sha256/);
    assert.equal(await other.get(sha256Hex('absent')), undefined);
  });
});
