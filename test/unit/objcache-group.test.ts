import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';

/**
 * tools/objcache-group.py with the host's gcc, the wrapper and the store as
 * the builder runs them: two objects (two classes: they read different
 * headers) compiled for one kernel tree, stored as a group, then restored
 * into clean sources for another tree. What the group narrows (the
 * configuration to the names its files say, the listing to the names an
 * #include could have found) may differ and still restore; each input it
 * keys, changed alone, must miss for the class that sees it and only that.
 */
const TOOLS = fileURLToPath(new URL('../../../tools/', import.meta.url));
const CC = 'gcc';

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error?.message ?? ''}` };
}

const AUTOCONF = [
  '/*',
  ' * Automatically generated file; DO NOT EDIT.',
  ' * Linux/x86 6.1.1 Kernel Configuration',
  ' */',
  '#define CONFIG_WIDTH 4',
  '#define CONFIG_FEATURE_MODULE 1',
  '#define CONFIG_UNRELATED 1',
  '#define CONFIG_BUILD_SALT "6.1.0-1-amd64"',
  '',
].join('\n');

describe('object group (tools/objcache-group.py)', () => {
  let dir: string;
  let cache: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpy-objgroup-'));
    cache = join(dir, 'cache');
    await mkdir(cache);
    // The kernel tree every variant starts from: configuration, two headers, the programs the group keys.
    const k = join(dir, 'k-base');
    for (const d of ['include/generated', 'arch/include', 'scripts/genksyms', 'tools/objtool']) await mkdir(join(k, d), { recursive: true });
    await writeFile(join(k, 'include/generated/autoconf.h'), AUTOCONF);
    await writeFile(join(k, 'include/kern.h'), 'struct s { int a; };\n#define WIDTH CONFIG_WIDTH\n#if IS_ENABLED(CONFIG_FEATURE)\n#define FEAT 1\n#else\n#define FEAT 0\n#endif\n');
    await writeFile(join(k, 'include/other.h'), 'static inline int other(void) { return 7; }\n');
    await writeFile(join(k, 'include/kconfig.h'), '#include <generated/autoconf.h>\n#define __ARG_PLACEHOLDER_1 0,\n#define __take_second_arg(__ignored, val, ...) val\n#define __is_defined(x) ___is_defined(x)\n#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)\n#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)\n#define IS_BUILTIN(option) __is_defined(option)\n#define IS_MODULE(option) __is_defined(option##_MODULE)\n#define IS_ENABLED(option) (IS_BUILTIN(option) || IS_MODULE(option))\n');
    await writeFile(join(k, 'scripts/recordmcount'), 'recordmcount 1\n');
    await writeFile(join(k, 'scripts/genksyms/genksyms'), 'genksyms 1\n');
    await writeFile(join(k, 'tools/objtool/objtool'), 'launcher\n');
    await writeFile(join(k, 'tools/objtool/objtool.real-x86'), 'objtool 1\n');
    await mkdir(join(dir, 'src-base', 'kernel_mod'), { recursive: true });
    await writeFile(join(dir, 'src-base', 'kernel_mod', 'a.c'), '#include <kern.h>\nint get(struct s *p) { return p->a + WIDTH + FEAT; }\n');
    await writeFile(join(dir, 'src-base', 'kernel_mod', 'b.c'), '#include <other.h>\nint two(void) { return other(); }\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A kernel tree of its own, changed by `edit`, and clean sources (always at one path, as /build/src). */
  async function variant(name: string, edit?: (k: string) => Promise<void>) {
    const k = join(dir, `k-${name}`);
    const src = join(dir, 'src');
    await rm(k, { recursive: true, force: true });
    await rm(src, { recursive: true, force: true });
    await cp(join(dir, 'k-base'), k, { recursive: true });
    await cp(join(dir, 'src-base'), src, { recursive: true });
    await edit?.(k);
    return { k, src };
  }

  /**
   * The builder's steps for one kernel tree: group restore, then each
   * object not restored through the wrapper (its .cmd as Kbuild writes it,
   * objtool named when `objtool` says it ran per object), the store, the
   * group store. Returns the restore's line and which objects compiled.
   */
  async function build(v: { k: string; src: string }, opts: { objtool?: boolean; cache?: string } = {}) {
    const { k, src } = v;
    const tmp = join(dir, 'tmp');
    await rm(tmp, { recursive: true, force: true });
    await mkdir(join(tmp, 'stage'), { recursive: true });
    const listing = join(tmp, 'listing');
    const find = run('sh', ['-c', `for t in "$0" "$1"; do echo "tree $t"; (cd "$t" && find . -printf '%y %p %l\\n' | LC_ALL=C sort); done | sed "s|$0|@KDIR@|g"`, k, src], {});
    await writeFile(listing, find.stdout);
    const env = {
      ...process.env,
      TMPDIR: tmp,
      KPY_OBJCACHE: opts.cache ?? cache,
      KPY_OBJCACHE_SRC: src,
      KPY_RELEASE: '6.1.0-1-amd64',
      KPY_OBJCACHE_TOOLCHAIN: 'gcc-test-1',
      KPY_OBJCACHE_TREE: run('sha256sum', [listing], {}).stdout.slice(0, 64),
      KPY_OBJCACHE_LISTING: listing,
      KPY_OBJCACHE_KDIR: k,
      KPY_OBJCACHE_KSRC: '/nonexistent',
      KPY_OBJCACHE_CONF: join(k, 'include/generated/autoconf.h'),
      KPY_OBJCACHE_NORM: `s|${k}|@KDIR@|g`,
      KPY_OBJCACHE_DENORM: `s|@KDIR@|${k}|g`,
      KPY_OBJCACHE_LOG: join(tmp, 'log'),
      KPY_OBJCACHE_STAGE: join(tmp, 'stage'),
      KPY_OBJCACHE_ENTRIES: join(tmp, 'entries'),
      KPY_OBJCACHE_GROUP_STATE: join(tmp, 'state'),
    };
    await writeFile(env.KPY_OBJCACHE_ENTRIES, '');
    await writeFile(env.KPY_OBJCACHE_LOG, '');
    const restore = run('python3', [join(TOOLS, 'objcache-group.py'), 'restore'], { cwd: src, env });
    assert.equal(restore.code, 0, restore.stderr);
    const compiled: string[] = [];
    for (const unit of ['a', 'b']) {
      const obj = join(src, 'kernel_mod', `${unit}.o`);
      const args = [`-Wp,-MMD,${join(src, 'kernel_mod', `.${unit}.o.d`)}`, '-I', join(k, 'arch/include'), '-I', join(k, 'include'), '-include', join(k, 'include/kconfig.h'), '-O2', '-c', '-o', obj, join(src, 'kernel_mod', `${unit}.c`)];
      const cmd = `savedcmd_kernel_mod/${unit}.o := ${CC} ${args.join(' ')}${opts.objtool ? `; ./tools/objtool/objtool --orc ${obj}` : ''}\n`;
      const cmdFile = join(src, 'kernel_mod', `.${unit}.o.cmd`);
      // Kbuild's if_changed: an object restored with this very command is up to date.
      if (spawnSync('test', ['-f', obj]).status === 0 && (await readFile(cmdFile, 'utf8').catch(() => '')) === cmd) continue;
      const r = run('sh', [join(TOOLS, 'objcache-cc.sh'), CC, ...args], { cwd: k, env });
      assert.equal(r.code, 0, r.stderr);
      await writeFile(cmdFile, cmd);
      compiled.push(unit);
    }
    const store = run('python3', [join(TOOLS, 'objcache-store.py')], { cwd: k, env });
    assert.equal(store.code, 0, store.stderr);
    const gstore = run('python3', [join(TOOLS, 'objcache-group.py'), 'store'], { cwd: src, env });
    assert.equal(gstore.code, 0, gstore.stderr);
    const line = /object group: (.*)/.exec(restore.stdout)?.[1] ?? '';
    return { line, compiled: compiled.join(' '), stored: /object group: (stored.*)/.exec(gstore.stdout)?.[1] ?? '', objects: { a: await readFile(join(src, 'kernel_mod', 'a.o')), b: await readFile(join(src, 'kernel_mod', 'b.o')) } };
  }

  /** An uncached compile of one unit against a tree: the bytes a restored object must have. */
  function plain(k: string, src: string, unit: string) {
    const out = join(dir, `plain-${unit}.o`);
    const r = run(CC, ['-I', join(k, 'arch/include'), '-I', join(k, 'include'), '-include', join(k, 'include/kconfig.h'), '-O2', '-c', '-o', out, join(src, 'kernel_mod', `${unit}.c`)], { cwd: k });
    assert.equal(r.code, 0, r.stderr);
    return readFile(out);
  }

  it('stores two classes, then restores both into clean sources with the same bytes', async () => {
    const first = await build(await variant('one'));
    assert.equal(first.line, 'miss');
    assert.equal(first.compiled, 'a b');
    assert.match(first.stored, /^stored, 2 objects \(2 classes\)$/);
    assert.equal((await readdir(join(cache, 'groups'))).filter((n) => n.endsWith('.sha256')).length, 2);
    const again = await build(await variant('one'));
    assert.equal(again.line, 'hit, 2 objects (2 classes)');
    assert.equal(again.compiled, '');
    assert.ok(again.objects.a.equals(first.objects.a) && again.objects.b.equals(first.objects.b));
  });

  it('another flavour: a define no file says, the salt, the comment and new files of other names differ; both classes restore', async () => {
    const v = await variant('flavour', async (k) => {
      const conf = join(k, 'include/generated/autoconf.h');
      await writeFile(conf, (await readFile(conf, 'utf8')).replace('6.1.1', '6.1.2').replace('CONFIG_UNRELATED 1', 'CONFIG_UNRELATED_MODULE 1').replace('6.1.0-1-amd64', '6.1.0-1-cloud-amd64') + '#define CONFIG_NEW 1\n');
      await mkdir(join(k, 'include/config'), { recursive: true });
      await writeFile(join(k, 'include/config/NEW'), '');
      await writeFile(join(k, 'arch/include/syscalls_x32.h'), '');
    });
    const r = await build(v);
    assert.equal(r.line, 'hit, 2 objects (2 classes)');
    assert.equal(r.compiled, '');
    assert.ok(r.objects.a.equals(await plain(v.k, v.src, 'a')));
  });

  it('a file of a name a.c read, below no directory the objects search (another architecture\'s, as in Debian\'s common headers), is not keyed: both classes restore', async () => {
    const v = await variant('other-arch', async (k) => {
      await mkdir(join(k, 'arch/alpha/include'), { recursive: true });
      await writeFile(join(k, 'arch/alpha/include/kern.h'), 'struct s { long pad; int a; };\n');
    });
    const r = await build(v);
    assert.equal(r.line, 'hit, 2 objects (2 classes)');
    assert.equal(r.compiled, '');
    assert.ok(r.objects.a.equals(await plain(v.k, v.src, 'a')));
  });

  for (const [what, edit] of [
    ['a define a.c sees (CONFIG_WIDTH)', async (k: string) => {
      const conf = join(k, 'include/generated/autoconf.h');
      await writeFile(conf, (await readFile(conf, 'utf8')).replace('CONFIG_WIDTH 4', 'CONFIG_WIDTH 8'));
    }],
    ['a define a.c sees only through IS_MODULE (CONFIG_FEATURE_MODULE)', async (k: string) => {
      const conf = join(k, 'include/generated/autoconf.h');
      await writeFile(conf, (await readFile(conf, 'utf8')).replace('#define CONFIG_FEATURE_MODULE 1\n', ''));
    }],
    ['a file of the name a.c read, earlier on the include path (arch/include/kern.h)', async (k: string) => {
      await writeFile(join(k, 'arch/include/kern.h'), 'struct s { long pad; int a; };\n#define WIDTH 4\n#define FEAT 0\n');
    }],
    ['a header a.c read, one byte', async (k: string) => {
      await writeFile(join(k, 'include/kern.h'), (await readFile(join(k, 'include/kern.h'), 'utf8')).replace('int a;', 'long a;'));
    }],
  ] as const) {
    it(`${what} differs: a.c's class misses and compiles again, b.c's restores`, async () => {
      const v = await variant('changed', edit);
      const r = await build(v);
      assert.match(r.line, /^partial hit, 1 objects \(1 classes; \d+ others\)$/);
      assert.equal(r.compiled, 'a');
      assert.ok(r.objects.a.equals(await plain(v.k, v.src, 'a')));
      assert.ok(r.objects.b.equals(await plain(v.k, v.src, 'b')));
    });
  }

  it('a kernel whose a.c reads one more header: its own class stored, the next restore is a hit beside the other kernel\'s class', async () => {
    const edit = async (k: string) => {
      await writeFile(join(k, 'include/extra.h'), '#define EXTRA 3\n');
      await writeFile(join(k, 'include/kern.h'), `#include <extra.h>\n${await readFile(join(k, 'include/kern.h'), 'utf8')}`);
    };
    const first = await build(await variant('extra', edit));
    assert.match(first.line, /^partial hit, 1 objects \(1 classes; \d+ others\)$/);
    assert.equal(first.compiled, 'a');
    // The base kernel's class of a.o still does not hold, but names only a.o, which this kernel's own class restores.
    const v = await variant('extra', edit);
    const again = await build(v);
    assert.match(again.line, /^hit, 2 objects \(2 classes; [1-9]\d* classes of other kernels\)$/);
    assert.equal(again.compiled, '');
    assert.ok(again.objects.a.equals(await plain(v.k, v.src, 'a')));
  });

  it('a file that pastes onto CONFIG_ keys the whole configuration: any define differing misses', async () => {
    const base = await variant('paste-1', async (k) => {
      await writeFile(join(k, 'include/other.h'), '#define CFG(x) CONFIG_ ## x\nstatic inline int other(void) { return 7; }\n');
    });
    assert.match((await build(base)).stored, /stored/);
    const v = await variant('paste-2', async (k) => {
      await writeFile(join(k, 'include/other.h'), '#define CFG(x) CONFIG_ ## x\nstatic inline int other(void) { return 7; }\n');
      const conf = join(k, 'include/generated/autoconf.h');
      await writeFile(conf, (await readFile(conf, 'utf8')).replace('CONFIG_UNRELATED 1', 'CONFIG_UNRELATED 2'));
    });
    // b.c's class keys every define; a.c's only those it says, and CONFIG_UNRELATED is not one.
    assert.equal((await build(v)).compiled, 'b');
  });

  it('a file that says __has_include keys the whole listing: a new file of any name misses', async () => {
    const edit = (extra: boolean) => async (k: string) => {
      await writeFile(join(k, 'include/other.h'), '#if __has_include(<nothere.h>)\n#endif\nstatic inline int other(void) { return 7; }\n');
      if (extra) await writeFile(join(k, 'include/nothere.h'), '');
    };
    assert.match((await build(await variant('has-1', edit(false)))).stored, /stored/);
    assert.equal((await build(await variant('has-1', edit(false)))).compiled, '', 'the same listing restores');
    const r = await build(await variant('has-2', edit(true)));
    assert.equal(r.compiled, 'b');
  });

  it("the kernel's programs that can change an object are keyed by bytes: recordmcount always, objtool (and its .real-*) where the command ran it", async () => {
    const own = join(dir, 'cache-programs');
    await mkdir(own);
    const objtool = (bytes: string) => async (k: string) => writeFile(join(k, 'tools/objtool/objtool.real-x86'), bytes);
    assert.match((await build(await variant('objtool'), { objtool: true, cache: own })).stored, /stored/);
    assert.equal((await build(await variant('objtool'), { objtool: true, cache: own })).compiled, '');
    assert.equal((await build(await variant('objtool-real', objtool('objtool 2\n')), { objtool: true, cache: own })).compiled, 'a b');
    // Where objtool runs on the linked module instead (not in the objects' command), its bytes do not matter.
    assert.match((await build(await variant('objtool-none', objtool('objtool 3\n')), { cache: own })).stored, /stored/);
    assert.equal((await build(await variant('objtool-none', objtool('objtool 4\n')), { cache: own })).compiled, '');
    const rec = await variant('recordmcount', async (k) => writeFile(join(k, 'scripts/recordmcount'), 'recordmcount 2\n'));
    assert.equal((await build(rec, { cache: own })).compiled, 'a b');
  });

  it('a damaged manifest or tar is never restored', async () => {
    const groups = (await readdir(cache, { recursive: true })).filter((n) => n.startsWith('groups/'));
    const tars = groups.filter((n) => n.endsWith('.tar')).map((n) => join(cache, n));
    assert.ok(tars.length > 0);
    const saved = await Promise.all(tars.map(async (t) => ({ t, body: await readFile(t) })));
    try {
      for (const { t, body } of saved) {
        const b = Buffer.from(body);
        b.writeUInt8(b.readUInt8(b.length >> 1) ^ 0xff, b.length >> 1);
        await writeFile(t, b);
      }
      const r = await build(await variant('one'));
      assert.equal(r.compiled, 'a b');
    } finally {
      for (const { t, body } of saved) await writeFile(t, body);
    }
  });
});
