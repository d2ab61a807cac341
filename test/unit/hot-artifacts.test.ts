import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sha256Hex } from '../../lib/sha256.js';
import { HotArtifacts } from '../../server/hot-artifacts.js';

async function withFiles(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-hot-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function file(dir: string, name: string, bytes: Buffer): Promise<{ path: string; known: { sha256: string; size: number } }> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, known: { sha256: sha256Hex(bytes), size: bytes.length } };
}

test('hot artifacts: only bytes with the recorded digest are held, within the byte budget, least recently used out first', () =>
  withFiles(async (dir) => {
    const hot = new HotArtifacts(4000);
    const a = await file(dir, 'a', Buffer.alloc(1000, 1));
    const b = await file(dir, 'b', Buffer.alloc(1000, 2));
    const c = await file(dir, 'c', Buffer.alloc(1000, 3));
    const d = await file(dir, 'd', Buffer.alloc(1000, 4));
    const e = await file(dir, 'e', Buffer.alloc(1000, 5));
    assert.ok((await hot.load('a', a.path, a.known))?.body.equals(Buffer.alloc(1000, 1)));
    await hot.load('b', b.path, b.known);
    await hot.load('c', c.path, c.known);
    await hot.load('d', d.path, d.known);
    assert.deepEqual(hot.size, { entries: 4, bytes: 4000 });
    assert.ok(hot.get('a'), 'a is used again: b is now the oldest');
    await hot.load('e', e.path, e.known);
    assert.equal(hot.get('b'), undefined, 'the least recently used entry went');
    assert.ok(hot.get('a') && hot.get('e'));
    assert.deepEqual(hot.size, { entries: 4, bytes: 4000 });

    // A file damaged on disk (or a digest that does not match) is never held.
    const bad = await file(dir, 'bad', Buffer.from('good bytes'));
    await writeFile(bad.path, 'evil bytes');
    assert.equal(await hot.load('bad', bad.path, bad.known), undefined);
    assert.equal(hot.get('bad'), undefined);
    assert.equal(await hot.load('gone', join(dir, 'missing'), bad.known), undefined);
    // One artifact may take a quarter of the budget at most.
    const big = await file(dir, 'big', Buffer.alloc(1001));
    assert.equal(await hot.load('big', big.path, big.known), undefined);
    assert.deepEqual(hot.size, { entries: 4, bytes: 4000 });
  }));

test('hot artifacts: concurrent loads of one key read the file once and share the entry', () =>
  withFiles(async (dir) => {
    const hot = new HotArtifacts(1 << 20);
    const f = await file(dir, 'm', Buffer.alloc(50_000, 7));
    const all = await Promise.all(Array.from({ length: 20 }, () => hot.load('m', f.path, f.known)));
    assert.ok(all.every((x) => x === all[0] && x !== undefined));
    assert.deepEqual(hot.size, { entries: 1, bytes: 50_000 });
  }));
