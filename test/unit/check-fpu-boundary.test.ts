import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';

/**
 * kernel_mod/check-fpu-boundary.sh on objects the host's gcc makes (x86-64):
 * a module-shaped tree (interpreter objects under gen/, glue at the top,
 * kpython.mod listing them) that holds, and each rule broken alone, which
 * must fail with the offending object and symbol named.
 */
const SCRIPT = fileURLToPath(new URL('../../../kernel_mod/check-fpu-boundary.sh', import.meta.url));
const PY = 'gen/micropython_embed/py';

/** The tree that holds: every rule kept. */
const GOOD: Record<string, string> = {
  [`${PY}/objfloat.c`]: 'double mp_float_add(double a, double b) { return a * b + 1.5; }\n',
  // The interpreter calls reviewed glue (kpy_hal.o, kmod_*.o) and string functions only.
  [`${PY}/vm.c`]:
    'extern int kpy_hal_ticks(void); extern int kmod_value(int);\n' +
    'extern void *memcpy(void *, const void *, unsigned long);\n' +
    'int mp_execute(int x, char *d, const char *s) { memcpy(d, s, 4); return kpy_hal_ticks() + kmod_value(x) + 1; }\n',
  'kpy_hal.c': 'int kpy_hal_ticks(void) { return 1; }\n',
  'kmod_kernel.c': 'extern int mp_execute(int, char *, const char *); int kmod_value(int x) { return x ? mp_execute(x - 1, 0, 0) + 1 : 0; }\n',
  // Enters the interpreter by a call (the +1 keeps gcc from a tail jump).
  'kpy_interp.c': 'extern int mp_execute(int, char *, const char *); int kpy_run(int x) { return mp_execute(x, 0, 0) + 1; }\n',
  'kpy_fpu.c': 'int kpy_fpu_begin(void) { return 0; }\n',
  'kpy_main.c': 'extern int kpy_run(int); int kpy_main_init(void) { return kpy_run(2) + 1; }\n',
};

function sh(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error?.message ?? ''}` };
}

describe('FPU boundary check (kernel_mod/check-fpu-boundary.sh)', { skip: process.arch !== 'x64' && 'the objects are x86-64' }, () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpy-fpu-boundary-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Compile GOOD with `change` over it (glue without FPU registers unless `fpuGlue`), run the check. */
  async function check(change: Record<string, string>, opts: { fpuGlue?: string; noFpu?: string } = {}) {
    const d = join(dir, `t${n++}`);
    await mkdir(join(d, PY), { recursive: true });
    const files = { ...GOOD, ...change };
    const objs: string[] = [];
    for (const [name, text] of Object.entries(files)) {
      await writeFile(join(d, name), text);
      const o = name.replace(/\.c$/, '.o');
      const glue = !name.startsWith('gen/');
      const regs = (glue && name !== opts.fpuGlue) || name === opts.noFpu ? ['-mgeneral-regs-only'] : [];
      const cc = sh('gcc', ['-O2', '-c', ...regs, name, '-o', o], d);
      assert.equal(cc.code, 0, `gcc ${name}: ${cc.stderr}`);
      objs.push(join(d, o));
    }
    await writeFile(join(d, 'kpython.mod'), `${objs.join(' ')}\n`);
    return sh('sh', [SCRIPT, d], d);
  }

  it('passes a tree that keeps every rule, counting its objects', async () => {
    const r = await check({});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 FPU objects, 5 glue objects: boundary holds/);
  });

  it('1: glue that uses FPU registers', async () => {
    const r = await check({ 'kpy_main.c': 'double kpy_scale(double x) { return x * 2.5; }\nint kpy_main_init(void) { return 0; }\n' }, { fpuGlue: 'kpy_main.c' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /kpy_main\.o uses FPU\/vector registers \([1-9]\d* instructions\)/);
    assert.doesNotMatch(r.stderr, /kpy_hal\.o|kpy_interp\.o/);
  });

  it('1: the register pattern must find the float code\'s registers', async () => {
    const r = await check({ [`${PY}/objfloat.c`]: 'int mp_int_add(int a, int b) { return a + b; }\n' }, { noFpu: `${PY}/objfloat.c` });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no FPU register found in objfloat\.o/);
  });

  it('2: the interpreter calling a kernel function that may sleep', async () => {
    const r = await check({ [`${PY}/vm.c`]: 'extern void msleep(unsigned);\nint mp_execute(int x, char *d, const char *s) { msleep(1); return x + 1; }\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the interpreter calls kernel functions directly: msleep/);
  });

  it('3: the interpreter calling glue that is not reviewed', async () => {
    const r = await check({ [`${PY}/vm.c`]: 'extern int kpy_main_init(void);\nint mp_execute(int x, char *d, const char *s) { return kpy_main_init() + x + 1; }\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the interpreter calls kpy_main\.o, which is not reviewed glue: kpy_main_init/);
  });

  it('4: glue calling the interpreter outside a section', async () => {
    const r = await check({ 'kpy_main.c': 'extern int mp_execute(int, char *, const char *);\nint kpy_main_init(void) { return mp_execute(1, 0, 0) + 1; }\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /kpy_main\.o calls the interpreter outside an FPU section: mp_execute/);
    assert.doesNotMatch(r.stderr, /kpy_interp\.o|kmod_kernel\.o/);
  });

  it('5: glue entering the interpreter by a tail jump, direct or through a pointer', async () => {
    const direct = await check({ 'kpy_interp.c': 'extern int mp_execute(int, char *, const char *);\nint kpy_run(int x) { return mp_execute(x, 0, 0); }\n' });
    assert.equal(direct.code, 1);
    assert.match(direct.stderr, /kpy_interp\.o tail-jumps into the interpreter or through a pointer: mp_execute/);
    const pointer = await check({ 'kpy_hal.c': 'int kpy_hal_ticks(void) { return 1; }\nint kpy_hal_call(int (*f)(int), int x) { return f(x); }\n' });
    assert.equal(pointer.code, 1);
    assert.match(pointer.stderr, /kpy_hal\.o tail-jumps into the interpreter or through a pointer: indirect/);
  });

  it('reports every broken rule of every object, not only the first', async () => {
    const r = await check(
      {
        'kpy_main.c': 'extern int mp_execute(int, char *, const char *);\ndouble kpy_scale(double x) { return x * 2.5; }\nint kpy_main_init(void) { return mp_execute(1, 0, 0) + 1; }\n',
        'kpy_fpu.c': 'extern int mp_execute(int, char *, const char *);\nint kpy_fpu_begin(void) { return mp_execute(0, 0, 0) + 1; }\n',
      },
      { fpuGlue: 'kpy_main.c' },
    );
    assert.equal(r.code, 1);
    for (const want of [/kpy_main\.o uses FPU/, /kpy_main\.o calls the interpreter outside/, /kpy_fpu\.o calls the interpreter outside/]) assert.match(r.stderr, want);
  });
});
