import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ArtifactStore } from '../../lib/artifact-store.js';
import { sha256Hex } from '../../lib/sha256.js';

const metaOf = (key: string, unsignedSha256 = 'u') => ({ key, release: 'r', unsignedSha256, vermagic: 'v', startedAt: '', finishedAt: '', durationMs: 1 });

async function withStore(fn: (s: ArtifactStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-store-'));
  try {
    await fn(new ArtifactStore(dir), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const scratch = async (dir: string) => [...(await readdir(join(dir, 'builds')).catch(() => [])), ...(await readdir(join(dir, 'failures')).catch(() => []))].filter((n) => n.startsWith('.'));

test('commit is atomic and idempotent; failures keep their log until a success', () =>
  withStore(async (s, dir) => {
    const key = 'a'.repeat(64);
    assert.equal(await s.has(key), false);
    await s.commitFailure(key, Buffer.from('failed log\n'), { error: 'x' });
    assert.equal(await readFile((await s.path(key, 'build.log')) ?? '', 'utf8'), 'failed log\n');
    assert.equal(await s.has(key), false);
    const m = await s.commit(key, new Map([['kpython.ko', Buffer.from('one')], ['build.log', Buffer.from('ok log\n')]]), metaOf(key));
    assert.deepEqual(m.artifacts.find((a) => a.name === 'kpython.ko'), { name: 'kpython.ko', sha256: sha256Hex('one'), size: 3 });
    assert.equal(await readFile((await s.path(key, 'build.log')) ?? '', 'utf8'), 'ok log\n', 'the success replaces the failure');
    const again = await s.commit(key, new Map([['kpython.ko', Buffer.from('one, signed again')]]), metaOf(key));
    assert.deepEqual(again, m, 'a published key keeps its build: a second commit answers with it');
    assert.equal(await readFile((await s.path(key, 'kpython.ko')) ?? '', 'utf8'), 'one');
    await assert.rejects(s.commit(key, new Map([['kpython.ko', Buffer.from('x')]]), metaOf(key, 'other')), /NOT_REPRODUCIBLE|unsigned sha256/);
    assert.deepEqual(await scratch(dir), [], 'no temporary directories left');
  }));

test('concurrent commits of one key all succeed with one published build', () =>
  withStore(async (s, dir) => {
    const key = 'b'.repeat(64);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => s.commit(key, new Map([['kpython.ko', Buffer.from(`signed by ${i}`)], ['build.log', Buffer.alloc(64 * 1024, i)]]), metaOf(key))),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(failed, [], 'no commit fails (was ENOTEMPTY)');
    const metas = new Set(results.map((r) => (r.status === 'fulfilled' ? JSON.stringify(r.value) : '')));
    assert.equal(metas.size, 1, 'every committer gets the winner\'s meta');
    assert.equal((await readdir(join(dir, 'builds'))).length, 1);
    assert.deepEqual(await scratch(dir), []);
  }));

test('has() is never false for a published build while it is committed again', () =>
  withStore(async (s) => {
    const key = 'c'.repeat(64);
    await s.commit(key, new Map([['kpython.ko', Buffer.from('one')]]), metaOf(key));
    let misses = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        if (!(await s.has(key))) misses++;
      }
    })();
    for (let i = 0; i < 30; i++) await s.commit(key, new Map([['kpython.ko', Buffer.from('one')], ['x', Buffer.alloc(256 * 1024)]]), metaOf(key));
    stop = true;
    await reader;
    assert.equal(misses, 0);
  }));

test('an empty or corrupt meta.json (power loss) hides only that build, and the next commit replaces it', () =>
  withStore(async (s, dir) => {
    const good = 'd'.repeat(64);
    const cut = 'e'.repeat(64);
    await s.commit(good, new Map([['kpython.ko', Buffer.from('good')]]), metaOf(good));
    await s.commit(cut, new Map([['kpython.ko', Buffer.from('cut')]]), metaOf(cut));
    for (const body of ['', '{"key":', 'null', '[]']) {
      await writeFile(join(dir, 'builds', cut, 'meta.json'), body);
      assert.equal(await s.meta(cut), undefined, JSON.stringify(body));
      assert.equal(await s.has(cut), false);
      assert.equal(await s.path(cut, 'kpython.ko'), undefined, 'nothing of a cut build is served');
      assert.ok(await s.has(good), 'other builds are unaffected');
    }
    const m = await s.commit(cut, new Map([['kpython.ko', Buffer.from('rebuilt')]]), metaOf(cut));
    assert.deepEqual(await s.meta(cut), m);
    assert.equal(await readFile((await s.path(cut, 'kpython.ko')) ?? '', 'utf8'), 'rebuilt');
    assert.deepEqual(await scratch(dir), []);
  }));

test('the start-up sweep removes scratch of dead writers and keeps that of live ones', () =>
  withStore(async (s, dir) => {
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    const host = hostname().replace(/[^A-Za-z0-9_.]/g, '_');
    const names = [`.tmp-${host}-${dead.pid}-1-${'0'.repeat(16)}`, `.old-${host}-${dead.pid}--${'1'.repeat(16)}`, `.tmp-${host}-${process.pid}-999-${'2'.repeat(16)}`];
    const live = `.tmp-${host}-${process.pid}-${(await readFile(`/proc/${process.pid}/stat`, 'utf8')).slice((await readFile(`/proc/${process.pid}/stat`, 'utf8')).lastIndexOf(')') + 2).split(' ')[19]}-${'3'.repeat(16)}`;
    for (const n of [...names, live]) await mkdir(join(dir, 'builds', n), { recursive: true });
    const { removed } = await s.sweep();
    assert.deepEqual(removed.sort(), names.map((n) => `builds/${n}`).sort(), 'dead pids and a reused pid (other start time) are swept');
    assert.deepEqual(await scratch(dir), [live], 'a live writer keeps its scratch');
  }));

test('meta() answers from memory while meta.json is the same file, and sees every replacement and removal', () =>
  withStore(async (s, dir) => {
    const key = 'c'.repeat(64);
    const m = await s.commit(key, new Map([['kpython.ko', Buffer.from('one')]]), metaOf(key));
    assert.deepEqual(await s.meta(key), m);
    assert.equal(await s.meta(key), await s.meta(key), 'the second read is the cached object');
    assert.ok(Object.isFrozen(await s.meta(key)), 'callers cannot change the cached meta');
    // Replaced in place by another writer (a new file, as a rename of a new directory gives).
    const path = join(dir, 'builds', key, 'meta.json');
    const replaced = { ...m, finishedAt: 'later' };
    await writeFile(`${path}.new`, JSON.stringify(replaced));
    await rm(path);
    await writeFile(path, JSON.stringify(replaced));
    assert.equal((await s.meta(key))?.finishedAt, 'later');
    await writeFile(path, '{"key": "truncated');
    assert.equal(await s.meta(key), undefined, 'a damaged meta is absent, not the cached one');
    await rm(join(dir, 'builds', key), { recursive: true });
    assert.equal(await s.meta(key), undefined);
    assert.equal(await s.has(key), false);
  }));
