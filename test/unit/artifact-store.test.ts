import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ArtifactStore } from '../../lib/artifact-store.js';
import { sha256Hex } from '../../lib/sha256.js';

test('commit is atomic and replaces; failures keep their log until a success', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-store-'));
  try {
    const s = new ArtifactStore(dir);
    const key = 'a'.repeat(64);
    const meta = { key, release: 'r', unsignedSha256: 'u', vermagic: 'v', startedAt: '', finishedAt: '', durationMs: 1 };
    assert.equal(await s.has(key), false);
    await s.commitFailure(key, Buffer.from('failed log\n'), { error: 'x' });
    assert.equal(await readFile((await s.path(key, 'build.log')) ?? '', 'utf8'), 'failed log\n');
    assert.equal(await s.has(key), false);
    const m = await s.commit(key, new Map([['kpython.ko', Buffer.from('one')], ['build.log', Buffer.from('ok log\n')]]), meta);
    assert.deepEqual(m.artifacts.find((a) => a.name === 'kpython.ko'), { name: 'kpython.ko', sha256: sha256Hex('one'), size: 3 });
    assert.equal(await readFile((await s.path(key, 'build.log')) ?? '', 'utf8'), 'ok log\n', 'the success replaces the failure');
    await s.commit(key, new Map([['kpython.ko', Buffer.from('two')]]), meta);
    assert.equal(await readFile((await s.path(key, 'kpython.ko')) ?? '', 'utf8'), 'two');
    assert.equal(await s.path(key, 'build.log'), undefined, 'nothing of the old build survives');
    assert.deepEqual((await readdir(join(dir, 'builds'))).filter((n) => n.startsWith('.')), [], 'no temporary directories left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
