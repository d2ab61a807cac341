import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { objectCacheDigest, pruneObjectCache, pruneObjectCacheInBackground } from '../../lib/object-cache.js';

/**
 * tools/objcache-cc.sh with the host's gcc, as Kbuild calls it in the
 * builder: each input the key names, changed alone, must miss; what the
 * compiler maps away (the ABI-named header directory) must hit and give the
 * bytes an uncached compile gives.
 */
const WRAPPER = fileURLToPath(new URL('../../../tools/objcache-cc.sh', import.meta.url));
const STORE = fileURLToPath(new URL('../../../tools/objcache-store.py', import.meta.url));
const CC = 'gcc';

function runCommand(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8' });
  return Promise.resolve({ code: r.status ?? -1, stderr: `${r.stderr}${r.error?.message ?? ''}` });
}

describe('object cache wrapper (tools/objcache-cc.sh)', () => {
  let dir: string;
  let cache: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpy-objcache-'));
    cache = join(dir, 'cache');
    await mkdir(cache);
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'a.c'), '#include <kern.h>\nint get(struct s *p) { return p->a + WIDTH; }\n');
    for (const abi of ['hdr-56', 'hdr-57', 'hdr-other']) await mkdir(join(dir, abi));
    await writeFile(join(dir, 'hdr-56', 'kern.h'), 'struct s { int a; };\n#define WIDTH 4\n');
    await writeFile(join(dir, 'hdr-57', 'kern.h'), 'struct s { int a; };\n#define WIDTH 4\n');
    await writeFile(join(dir, 'hdr-other', 'kern.h'), 'struct s { long pad; int a; };\n#define WIDTH 4\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** one compile of src/a.c against headers in `hdr`; returns the tallies and the object */
  /** The container script's per-build table of the header tree's sha256s and the files that say incbin or SALT. */
  async function table(hdrDir: string) {
    const sums = join(dir, 'sums');
    const marks = join(dir, 'marks');
    const files = spawnSync('find', [hdrDir, '-type', 'f', '-name', '*.h'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    await writeFile(sums, files.length ? spawnSync('sha256sum', files, { encoding: 'utf8' }).stdout : '');
    await writeFile(marks, files.length ? spawnSync('grep', ['-l', '-E', 'incbin|SALT', ...files], { encoding: 'utf8' }).stdout : '');
    return { KPY_OBJCACHE_SUMS: sums, KPY_OBJCACHE_MARKS: marks };
  }

  async function compile(
    hdr: string,
    opts: { flags?: string[]; toolchain?: string; tree?: string; cached?: boolean; source?: string; release?: string; table?: boolean } = {},
  ) {
    const log = join(dir, 'tally');
    await writeFile(log, '');
    const out = join(dir, 'src', 'a.o');
    await rm(out, { force: true });
    const hdrDir = join(dir, hdr);
    const dep = join(dir, 'src', '.a.o.d');
    await rm(dep, { force: true });
    const args = [`-Wp,-MMD,${dep}`, '-I', hdrDir, '-O2', '-g', `-fdebug-prefix-map=${hdrDir}=/hdr`, `-fdebug-prefix-map=${join(dir, "src")}=/src`, ...(opts.flags ?? []), '-c', '-o', out, join(dir, 'src', opts.source ?? 'a.c')];
    // A stage of this compile's own; the store runs after it, as after make in the builder.
    const stage = join(dir, 'stage');
    await rm(stage, { recursive: true, force: true });
    await mkdir(stage);
    const env = {
      ...process.env,
      KPY_OBJCACHE: cache,
      KPY_OBJCACHE_SRC: join(dir, 'src'),
      KPY_OBJCACHE_TOOLCHAIN: opts.toolchain ?? 'gcc-test-1',
      KPY_OBJCACHE_TREE: opts.tree ?? 'tree-1',
      KPY_RELEASE: opts.release ?? `${hdr}-release`,
      ...(opts.table === false ? {} : await table(hdrDir)),
      KPY_OBJCACHE_KDIR: hdrDir,
      KPY_OBJCACHE_LOG: log,
      KPY_OBJCACHE_STAGE: stage,
    };
    const r = opts.cached === false ? await runCommand(CC, args, { cwd: dir }) : await runCommand('sh', [WRAPPER, CC, ...args], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    if (opts.cached !== false) {
      const s = await runCommand('python3', [STORE], { cwd: dir, env });
      assert.equal(s.code, 0, s.stderr);
      assert.equal(s.stderr, '', 'the store says nothing when every entry is made');
    }
    return {
      tally: opts.cached === false ? '' : (await readFile(log, 'utf8')).trim().split('\n').filter(Boolean).join(' '),
      object: await readFile(out),
      depfile: await readFile(dep, 'utf8'),
    };
  }

  it('stores on a miss, hits on the same inputs with the same bytes', async () => {
    const first = await compile('hdr-57');
    assert.equal(first.tally, 'miss stored');
    const again = await compile('hdr-57');
    assert.equal(again.tally, 'hit');
    assert.ok(again.object.equals(first.object));
    assert.ok(again.object.equals((await compile('hdr-57', { cached: false })).object), 'the bytes of an uncached compile');
  });

  it('another ABI directory with the same headers hits, byte-identical to an uncached compile there, with its own dependency file', async () => {
    const other = await compile('hdr-56');
    assert.equal(other.tally, 'hit');
    const plain = await compile('hdr-56', { cached: false });
    assert.ok(other.object.equals(plain.object));
    // The cached compile's list is the complete one (-MD, so the host's stdc-predef.h too: test below).
    const files = (d: string) => d.replace(/\\\n/g, ' ').split(/\s+/).slice(1).filter(Boolean);
    for (const f of files(plain.depfile)) assert.ok(files(other.depfile).includes(f), `the dependency file names ${f}`);
    assert.match(other.depfile, /hdr-56\/kern\.h/, 'this build\'s header directory');
    assert.doesNotMatch(other.depfile, /hdr-57/);
  });

  it('without the per-build table of header digests: the same entries, each file read', async () => {
    assert.equal((await compile('hdr-57', { table: false })).tally, 'hit');
    assert.equal((await compile('hdr-other', { table: false })).tally, 'miss stored');
    assert.equal((await compile('hdr-other')).tally, 'hit', 'stored without the table, found with it');
  });

  it('a header changed in place (same path, one byte) misses; restored, the old entry hits again', async () => {
    const h = join(dir, 'hdr-57', 'kern.h');
    const was = await readFile(h, 'utf8');
    await writeFile(h, was.replace('WIDTH 4', 'WIDTH 5'));
    try {
      const r = await compile('hdr-57');
      assert.equal(r.tally, 'miss stored');
      assert.equal((await compile('hdr-57', { table: false })).tally, 'hit', 'the new entry, found by reading the file');
      assert.ok(r.object.equals((await compile('hdr-57', { cached: false })).object));
    } finally {
      await writeFile(h, was);
    }
    assert.equal((await compile('hdr-57')).tally, 'hit');
  });

  it('a compile with a system include directory is never cached (-MMD leaves out what it finds); through -I, a header such a tree includes is keyed', async () => {
    const sys = join(dir, 'src', 'sys');
    await mkdir(sys, { recursive: true });
    const py = join(sys, 'py.h');
    await writeFile(py, '#include <kern.h>\n#define PYW 1\n');
    await writeFile(join(dir, 'src', 'sysinc.c'), '#include "py.h"\nint v(struct s *p) { return p->a + PYW + WIDTH; }\n');
    const c = (flag: string, cached?: boolean) => compile('hdr-57', { source: 'sysinc.c', flags: [flag, sys], ...(cached === false ? { cached } : {}) });
    for (const flag of ['-isystem', '-idirafter']) {
      assert.equal((await c(flag)).tally, 'uncacheable', flag);
      assert.equal((await c(flag)).tally, 'uncacheable', `${flag}, again: nothing was stored`);
    }
    assert.equal((await c('-I')).tally, 'miss stored');
    assert.equal((await c('-I')).tally, 'hit');
    await writeFile(py, '#include <kern.h>\n#define PYW 2\n');
    const own = await c('-I');
    assert.equal(own.tally, 'miss stored', 'the tree\'s header changed');
    assert.ok(own.object.equals((await c('-I', false)).object), 'the bytes of an uncached compile');
    const h = join(dir, 'hdr-57', 'kern.h');
    const was = await readFile(h, 'utf8');
    await writeFile(h, was.replace('WIDTH 4', 'WIDTH 6'));
    try {
      const kern = await c('-I');
      assert.equal(kern.tally, 'miss stored', 'a kernel header only the tree\'s header includes changed');
      assert.ok(kern.object.equals((await c('-I', false)).object), 'the bytes of an uncached compile');
    } finally {
      await writeFile(h, was);
    }
    assert.equal((await c('-I')).tally, 'hit', 'back as it was: the entry of then');
  });

  it('another list of header file names (a header that could shadow or answer __has_include) misses', async () => {
    assert.equal((await compile('hdr-57', { tree: 'tree-2' })).tally, 'miss stored');
  });

  it('the build salt and the leading comment alone may differ in the configuration; any other line, a unit that names SALT, an object holding the release: each misses', async () => {
    // As kconfig writes it: a comment naming the upstream release, then the macros.
    const head = (upstream: string) => `/*\n *\n * Automatically generated file; DO NOT EDIT.\n * Linux/x86 ${upstream} Kernel Configuration\n *\n */\n`;
    const conf = (salt: string, extra = '', upstream = '6.1.192') =>
      `${head(upstream)}#define CONFIG_BUILD_SALT "${salt}"\n#define CONFIG_X86 1\n${extra}`;
    for (const [abi, text] of [
      ['cfg-56', conf('6.1.0-56-amd64')],
      ['cfg-57', conf('6.1.0-57-amd64')],
      ['cfg-55', conf('6.1.0-55-amd64', '', '6.1.158')],
      ['cfg-more', conf('6.1.0-58-amd64', '#define CONFIG_NEW 1\n')],
      // A comment after the leading block is kept: only kconfig's header is known to be one.
      ['cfg-tail', conf('6.1.0-59-amd64', '/*\n * Linux/x86 6.1.192\n */\n')],
      // A leading comment of another shape (closed on a text line, so a later " */" is another
      // comment's) is keyed by its bytes: the macros between must never drop out of the key.
      ['cfg-odd', `/*\n * Linux/x86 6.1.200 Kernel Configuration */\n#define CONFIG_BUILD_SALT "6.1.0-60-amd64"\n#define CONFIG_X86 1\n/*\n */\n`],
      ['cfg-odd2', `/*\n * Linux/x86 6.1.200 Kernel Configuration */\n#define CONFIG_BUILD_SALT "6.1.0-60-amd64"\n#define CONFIG_X86 1\n#define CONFIG_OTHER 1\n/*\n */\n`],
    ] as const) {
      await mkdir(join(dir, abi, 'include', 'generated'), { recursive: true });
      await writeFile(join(dir, abi, 'include', 'generated', 'autoconf.h'), text);
      await writeFile(join(dir, abi, 'kern.h'), 'struct s { int a; };\n#define WIDTH 4\n');
    }
    await writeFile(join(dir, 'src', 'conf.c'), '#include <kern.h>\nint x86 = CONFIG_X86 + WIDTH;\n');
    await writeFile(join(dir, 'src', 'salt.c'), '#include <kern.h>\nint salt_len = sizeof(CONFIG_BUILD_SALT);\n');
    const inc = (abi: string) => ['-include', join(dir, abi, 'include', 'generated', 'autoconf.h')];
    const c = (abi: string, source: string, cached?: boolean) =>
      compile(abi, { source, flags: inc(abi), release: abi.replace('cfg', '6.1.0') + '-amd64', ...(cached === false ? { cached } : {}) });
    assert.equal((await c('cfg-56', 'conf.c')).tally, 'miss stored');
    const hit = await c('cfg-57', 'conf.c');
    assert.equal(hit.tally, 'hit', 'another salt, nothing else');
    assert.ok(hit.object.equals((await c('cfg-57', 'conf.c', false)).object), 'the bytes of an uncached compile');
    assert.equal((await c('cfg-more', 'conf.c')).tally, 'miss stored', 'another configuration line');
    const other = await c('cfg-55', 'conf.c');
    assert.equal(other.tally, 'hit', 'another upstream release in the leading comment, nothing else');
    assert.ok(other.object.equals((await c('cfg-55', 'conf.c', false)).object), 'the bytes of an uncached compile');
    assert.equal((await c('cfg-tail', 'conf.c')).tally, 'miss stored', 'a comment after the leading block');
    assert.equal((await c('cfg-odd', 'conf.c')).tally, 'miss stored');
    assert.equal((await c('cfg-odd2', 'conf.c')).tally, 'miss stored', 'a leading comment of another shape: the macros after it stay keyed');
    assert.equal((await c('cfg-56', 'salt.c')).tally, 'miss stored');
    assert.equal((await c('cfg-57', 'salt.c')).tally, 'miss stored', 'a unit that names the salt keys it by its bytes');
    await writeFile(join(dir, 'src', 'rel.c'), '#include <kern.h>\nconst char *rel = "6.1.0-56-amd64";\n');
    assert.equal((await c('cfg-56', 'rel.c')).tally, 'miss stored');
    assert.equal((await c('cfg-57', 'rel.c')).tally, 'miss stored', 'an object holding its release name keys the configuration by its bytes');
  });

  it('a corrupted manifest is ignored, never trusted', async () => {
    for (const fan of await readdir(cache)) {
      for (const f of (await readdir(join(cache, fan))).filter((n) => n.endsWith('.m'))) {
        const p = join(cache, fan, f);
        // Claims any header: the name (its digest) no longer matches.
        await writeFile(p, (await readFile(p, 'utf8')).replace(/^[0-9a-f]{64}/gm, '0'.repeat(64)));
      }
    }
    const r = await compile('hdr-57');
    assert.match(r.tally, /^(corrupt )+miss stored$/);
  });

  it('a changed struct layout in a header, a changed flag, another compiler: each misses', async () => {
    assert.equal((await compile('hdr-other')).tally, 'miss stored', 'header content');
    assert.equal((await compile('hdr-57', { flags: ['-DEXTRA=1'] })).tally, 'miss stored', 'a -D flag');
    assert.equal((await compile('hdr-57', { flags: ['-O1'] })).tally, 'miss stored', 'an optimisation flag');
    assert.equal((await compile('hdr-57', { toolchain: 'gcc-test-2' })).tally, 'miss stored', 'toolchain identity');
  });

  it('an object that names its header directory (a -D string) is never shared across ABIs', async () => {
    await writeFile(join(dir, 'src', 'where.c'), 'const char *where = WHERE;\n');
    for (const abi of ['hdr-56', 'hdr-57']) {
      const r = await compile(abi, { source: 'where.c', flags: [`-DWHERE="${join(dir, abi)}"`] });
      assert.equal(r.tally, 'miss uncacheable', abi);
      assert.ok(r.object.includes(Buffer.from(join(dir, abi))), `${abi}: its own path`);
    }
  });

  it('a unit that read a file saying incbin is never stored (the assembler reads what no dependency file lists)', async () => {
    await writeFile(join(dir, 'hdr-57', 'blob.h'), '/* asm(".incbin \\"blob.bin\\"") would read blob.bin */\n#define BLOB 1\n');
    await writeFile(join(dir, 'src', 'blob.c'), '#include <blob.h>\nint blob = BLOB;\n');
    for (const tableToo of [true, false]) {
      const r = await compile('hdr-57', { source: 'blob.c', table: tableToo });
      assert.equal(r.tally, 'miss uncacheable', tableToo ? 'found by the table' : 'found by reading the file');
    }
    await rm(join(dir, 'hdr-57', 'blob.h'));
  });

  it('a corrupted entry is detected by its digest, ignored and replaced', async () => {
    const good = await compile('hdr-57', { cached: false });
    const before = await objectCacheDigest(cache);
    // Flip one byte of every stored object.
    for (const fan of await readdir(cache)) {
      for (const f of (await readdir(join(cache, fan))).filter((n) => n.endsWith('.o'))) {
        const p = join(cache, fan, f);
        const b = await readFile(p);
        b.writeUInt8((b.readUInt8(b.length >> 1) ^ 0xff), b.length >> 1);
        await writeFile(p, b);
      }
    }
    const r = await compile('hdr-57');
    assert.match(r.tally, /^(corrupt )+miss stored$/);
    assert.ok(r.object.equals(good.object), 'the corrupted bytes were not used');
    assert.equal((await compile('hdr-57')).tally, 'hit', 'the entry was repaired');
    assert.notEqual((await objectCacheDigest(cache)).digest, before.digest);
  });

  it('no usable cache directory: the plain compiler', async () => {
    const r = await runCommand('sh', [WRAPPER, CC, '-c', '-o', join(dir, 'b.o'), join(dir, 'src', 'a.c'), '-I', join(dir, 'hdr-57')], {
      env: { ...process.env, KPY_OBJCACHE: join(dir, 'absent'), KPY_OBJCACHE_SRC: join(dir, 'src') },
    });
    assert.equal(r.code, 0, r.stderr);
  });

  it('pruning keeps the cache under its bound, newest entries first', async () => {
    const all = await pruneObjectCache(dir + '/none', 0);
    assert.equal(all.entries, 0);
    const root = join(dir, 'prune');
    await mkdir(join(root, 'img'), { recursive: true });
    await rm(root, { recursive: true, force: true });
    await mkdir(join(root, 'img'), { recursive: true });
    // The wrapper's layout under one image directory.
    const { cp } = await import('node:fs/promises');
    await cp(cache, join(root, 'img'), { recursive: true });
    const before = await pruneObjectCache(root, 1 << 30);
    assert.ok(before.entries >= 5, `entries: ${before.entries}`);
    const after = await pruneObjectCache(root, Math.floor(before.bytes / 2));
    assert.ok(after.removed > 0 && after.bytes <= before.bytes / 2);
  });

  it('pruning in the background: one walk at a time, once more when asked during one', async () => {
    const root = join(dir, 'prune-bg');
    await mkdir(join(root, 'img'), { recursive: true });
    const { cp } = await import('node:fs/promises');
    await cp(cache, join(root, 'img'), { recursive: true });
    const full = await pruneObjectCache(root, 1 << 30);
    const walks: { entries: number; bytes: number; removed: number }[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      const report = (r: { entries: number; bytes: number; removed: number } | undefined, err?: unknown) => {
        if (err || !r) return reject(err instanceof Error ? err : new Error('no result'));
        walks.push(r);
        if (walks.length === 2) setTimeout(resolve, 200);
      };
      // Three asks while the first walk runs: one more walk, not three.
      for (let i = 0; i < 3; i++) pruneObjectCacheInBackground(root, Math.floor(full.bytes / 2), report);
    });
    await finished;
    assert.equal(walks.length, 2, JSON.stringify(walks));
    assert.ok((walks[0]?.removed ?? 0) > 0, JSON.stringify(walks));
    assert.equal(walks[1]?.removed, 0, 'the second walk finds the cache already under its bound');
    assert.ok((walks[1]?.bytes ?? Infinity) <= full.bytes / 2);
    // Done: a new ask starts a new walk.
    const again = await new Promise<number>((resolve) => pruneObjectCacheInBackground(root, 0, (r) => resolve(r?.removed ?? -1)));
    assert.ok(again > 0);
  });
});
