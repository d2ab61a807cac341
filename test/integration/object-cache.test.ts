import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { objectCacheDigest } from '../../lib/object-cache.js';
import { sha256Hex } from '../../lib/sha256.js';
import { buildDirEntries, gz, makeTar } from '../unit/headers-fixture.js';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, REPO_ROOT, waitForBuild, type TestEnv } from './helpers/test-core.js';
import { listen } from './helpers/test-server.js';

/**
 * The object cache through real Docker builds (issue 14): a trusted rebuild
 * reuses every object and gives the bytes a build without the cache gives;
 * a build from uploaded headers — code the client wrote — never sees the
 * cache, so it can neither read nor change what trusted builds reuse.
 */
describe('object cache of trusted builds (real Docker)', () => {
  let src: string;
  let cacheDir: string;
  let cached: TestEnv;
  let server: { url: string; close(): Promise<void> };
  let kernel: string;
  let first: { unsigned: string; log: string };

  before(async () => {
    src = await makeStandInSources('ok', `objcache-${Date.now()}`);
    await mkdir(join(src, 'tools'));
    // Every part of the object cache (wrapper, store, group, their sed and awk scripts), as the repo has it.
    for (const f of (await readdir(join(REPO_ROOT, 'tools'))).filter((n) => n.startsWith('objcache-'))) {
      await copyFile(join(REPO_ROOT, 'tools', f), join(src, 'tools', f));
    }
    cacheDir = await mkdtemp(join(tmpdir(), 'kpy-objects-'));
    cached = await makeTestEnv({ sourceDir: src, worker: true, env: { KPY_OBJECT_CACHE_DIR: cacheDir } });
    server = await listen(cached);
    kernel = await currentBookwormKernel(cached.core);
  });
  after(async () => {
    await server?.close();
    await cached?.cleanup();
    await rm(src, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function build(env: TestEnv, req: { kernel: string } | { headers: string }, force: boolean) {
    const { build: b } = await env.core.service.submit({ ...req, arch: 'amd64', force });
    const done = await waitForBuild(env.core, b.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const file = async (name: string) => readFile((await env.core.store.path(b.id, name)) ?? assert.fail(`no ${name}`));
    const log = (await file('build.log')).toString();
    return { unsigned: sha256Hex(await file(req && 'kernel' in req ? 'kpython.unsigned.ko' : 'kpython.ko')), log };
  }

  it('a trusted build stores its objects; a rebuild hits them all with the same bytes', async () => {
    first = await build(cached, { kernel }, false);
    const stored = /object cache: 0 hits, (\d+) misses, (\d+) stored/.exec(first.log);
    assert.ok(stored && Number(stored[1]) >= 2 && stored[1] === stored[2], `first build: ${first.log.match(/object cache:.*/g)?.join(' | ')}`);
    // kpython.mod.o, from a file modpost writes during make, is never in the group.
    assert.match(first.log, /object group: miss/);
    const grouped = /object group: stored, (\d+) objects/.exec(first.log);
    assert.ok(grouped && Number(grouped[1]) === Number(stored[1]) - 1, `first build: ${first.log.match(/object (group|cache):.*/g)?.join(' | ')}`);
    // Another service (its own store: a rebuild's log is kept) over the same cache, as after a restart.
    const restarted = await makeTestEnv({ sourceDir: src, worker: true, env: { KPY_OBJECT_CACHE_DIR: cacheDir } });
    try {
      // The same build key: the result cache's outputs, no container.
      const again = await build(restarted, { kernel }, false);
      assert.match(again.log, /result cache: hit/);
      assert.doesNotMatch(again.log, /object cache:/);
      assert.equal(again.unsigned, first.unsigned, 'reused result: the same unsigned module');
    } finally {
      await restarted.cleanup();
    }
    // A forced rebuild proves reproducibility: it compiles, every object from the cache (its own store: its log is read).
    const again = await makeTestEnv({ sourceDir: src, worker: true, env: { KPY_OBJECT_CACHE_DIR: cacheDir } });
    try {
      const forced = await build(again, { kernel }, true);
      assert.doesNotMatch(forced.log, /result cache: hit/);
      // The group's objects are up to date for make; only the module's own goes through the wrapper.
      assert.match(forced.log, new RegExp(`object group: hit, ${grouped[1]} objects`));
      assert.match(forced.log, /object cache: 1 hits, 0 misses/);
      assert.equal(forced.unsigned, first.unsigned, 'cached rebuild: the same unsigned module');
    } finally {
      await again.cleanup();
    }
  });

  it('a corrupted result is ignored: the build compiles again', async () => {
    const { readdir, writeFile } = await import('node:fs/promises');
    const image = (await readdir(cacheDir)).find((d) => !d.startsWith('.')) ?? assert.fail('no image directory');
    const results = join(cacheDir, image, 'results');
    for (const f of (await readdir(results)).filter((n) => n.endsWith('.tar'))) {
      const b = await readFile(join(results, f));
      b.writeUInt8(b.readUInt8(b.length >> 1) ^ 0xff, b.length >> 1);
      await writeFile(join(results, f), b);
    }
    const restarted = await makeTestEnv({ sourceDir: src, worker: true, env: { KPY_OBJECT_CACHE_DIR: cacheDir } });
    try {
      const again = await build(restarted, { kernel }, false);
      assert.doesNotMatch(again.log, /result cache: hit/);
      assert.match(again.log, /object cache: \d+ hits, 0 misses/);
      assert.equal(again.unsigned, first.unsigned);
    } finally {
      await restarted.cleanup();
    }
  });

  /** The object group entries: <image>/groups/<first>-<manifest digest>.{m,tar,sha256}. */
  async function groupEntries() {
    const image = (await readdir(cacheDir)).find((d) => !d.startsWith('.')) ?? assert.fail('no image directory');
    const dir = join(cacheDir, image, 'groups');
    const bases = (await readdir(dir)).filter((n) => n.endsWith('.sha256')).map((n) => join(dir, n.slice(0, -'.sha256'.length)));
    assert.ok(bases.length >= 1, 'a group entry');
    return bases;
  }

  /** A forced build in a fresh service over the cache (its own store, so its log is read). */
  async function forcedRebuild() {
    const env = await makeTestEnv({ sourceDir: src, worker: true, env: { KPY_OBJECT_CACHE_DIR: cacheDir } });
    try {
      return await build(env, { kernel }, true);
    } finally {
      await env.cleanup();
    }
  }

  it('an object group that is damaged, lists a file that now differs or holds other names is never restored', async () => {
    const bases = await groupEntries();
    const saved = await Promise.all(bases.map(async (b) => ({ b, m: await readFile(`${b}.m`), tar: await readFile(`${b}.tar`), sha: await readFile(`${b}.sha256`) })));
    const restoreAll = async () => {
      for (const e of await groupEntries()) for (const x of ['m', 'tar', 'sha256']) await rm(`${e}.${x}`, { force: true });
      for (const e of saved) {
        await writeFile(`${e.b}.m`, e.m);
        await writeFile(`${e.b}.tar`, e.tar);
        await writeFile(`${e.b}.sha256`, e.sha);
      }
    };
    try {
      // One byte of the objects' tar.
      for (const e of saved) {
        const t = Buffer.from(e.tar);
        t.writeUInt8(t.readUInt8(t.length >> 1) ^ 0xff, t.length >> 1);
        await writeFile(`${e.b}.tar`, t);
      }
      let r = await forcedRebuild();
      assert.match(r.log, /object group: damaged entry ignored/);
      assert.match(r.log, /object group: miss/);
      assert.match(r.log, /object cache: \d+ hits, 0 misses/);
      assert.equal(r.unsigned, first.unsigned);

      // A well-formed entry (named by its manifest's digest) whose manifest says a header, then one
      // of the kernel's programs that run on objects (recordmcount, genksyms, objtool where it runs
      // per object: keyed by bytes, not by the release), had other bytes.
      for (const listed of [/^[0-9a-f]{64}  .*\.h$/, /^[0-9a-f]{64}  (scripts|tools)\/[^ ]+$/]) {
        await restoreAll();
        for (const e of saved) {
          const lines = e.m.toString().split('\n');
          const i = lines.findIndex((l) => listed.test(l));
          assert.ok(i >= 0, `the manifest lists a file like ${listed}`);
          lines[i] = `${'0'.repeat(64)}${(lines[i] as string).slice(64)}`;
          const m = lines.join('\n');
          const base = `${e.b.slice(0, e.b.lastIndexOf('-'))}-${sha256Hex(Buffer.from(m))}`;
          for (const x of ['m', 'tar', 'sha256']) await rm(`${e.b}.${x}`, { force: true });
          await writeFile(`${base}.m`, m);
          await writeFile(`${base}.tar`, e.tar);
          await writeFile(`${base}.sha256`, e.sha);
        }
        r = await forcedRebuild();
        assert.match(r.log, /object group: miss/);
        assert.doesNotMatch(r.log, /object group: hit/);
        assert.equal(r.unsigned, first.unsigned);
      }

      // A tar (its digest beside it) with a name outside kernel_mod/.
      await restoreAll();
      for (const e of saved) {
        const evil = await makeTar([{ name: 'kernel_mod/../../usr/evil.o', body: Buffer.from('planted') }]);
        await writeFile(`${e.b}.tar`, evil);
        await writeFile(`${e.b}.sha256`, `${sha256Hex(evil)}  -\n`);
      }
      r = await forcedRebuild();
      assert.match(r.log, /object group: entry with other names ignored/);
      assert.match(r.log, /object group: miss/);
      assert.equal(r.unsigned, first.unsigned);
    } finally {
      await restoreAll();
    }
    // Put back, the group is used again.
    const r = await forcedRebuild();
    assert.match(r.log, /object group: hit/);
    assert.equal(r.unsigned, first.unsigned);
  });

  it('a build without the cache gives the same bytes', async () => {
    const plain = await makeTestEnv({ sourceDir: src, worker: true, env: { KPY_OBJECT_CACHE_MB: '0' } });
    try {
      const r = await build(plain, { kernel }, false);
      assert.doesNotMatch(r.log, /object cache:/);
      assert.equal(r.unsigned, first.unsigned);
    } finally {
      await plain.cleanup();
    }
  });

  it('a build from uploaded headers has no cache mounted and leaves the trusted cache unchanged', async () => {
    const before = await objectCacheDigest(cacheDir);
    assert.ok(before.files >= 4, `the trusted cache holds entries (${before.files} files)`);
    // The upload's Makefile is the attacker's code: look for the cache, try to plant an object.
    const makefile = [
      'all modules %:',
      '\t@if grep -q kpy-cache /proc/mounts; then echo "probe: cache mounted"; else echo "probe: no cache mount"; fi',
      '\t@echo "probe: KPY_OBJCACHE=[$$KPY_OBJCACHE]"',
      '\t@mkdir -p /kpy-cache/objects/aa 2>/dev/null && echo evil >/kpy-cache/objects/aa/planted.o && echo "probe: planted" || echo "probe: cannot plant"',
      '\tprintf "not a module" >$(M)/kpython.ko',
      '',
    ].join('\n');
    const tgz = gz(await makeTar(buildDirEntries({ release: '6.1.0-88-amd64', makefile })));
    const up = await fetch(`${server.url}/v1/headers`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: new Uint8Array(tgz) });
    assert.equal(up.status, 201);
    const { id } = (await up.json()) as { id: string };
    const { build: b } = await cached.core.service.submit({ headers: id, arch: 'amd64', force: false });
    const done = await waitForBuild(cached.core, b.id);
    // Its output is no module; what matters here is what the container saw.
    assert.equal(done.state, 'failed');
    const log = (await readFile((await cached.core.store.path(b.id, 'build.log')) ?? assert.fail('no build.log'))).toString();
    assert.match(log, /probe: no cache mount/);
    assert.match(log, /probe: KPY_OBJCACHE=\[\]/);
    assert.match(log, /probe: cannot plant/);
    assert.deepEqual(await objectCacheDigest(cacheDir), before, 'the trusted cache is byte for byte as before');
  });
});
