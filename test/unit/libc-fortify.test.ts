import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';

/**
 * The interpreter's freestanding libc (kernel_mod/include/), compiled by the
 * host's gcc without any system header (-nostdinc, as Kbuild does): its
 * fortify must stop each overflowing copy or read whose object size the
 * compiler knows, leave exact fits and unknown sizes alone, and be off
 * without CONFIG_FORTIFY_SOURCE. kpy_fortify_fail() here exits with a code
 * the test reads instead of BUG() (kpy_libc.c).
 */
const INCLUDE = fileURLToPath(new URL('../../../kernel_mod/include', import.meta.url));

const PROGRAM = `#include <string.h>
#include <stdint.h>
#include <limits.h>
extern int printf(const char *, ...);
extern void exit(int) __attribute__((noreturn));
void kpy_fortify_fail(const char *func, size_t size, size_t avail)
{
	printf("fail %s %zu %zu\\n", func, size, avail);
	exit(3);
}
/* Sizes and heap pointers the compiler cannot see through. */
__attribute__((noinline)) size_t runtime(size_t n) { __asm__("" : "+r"(n)); return n; }
__attribute__((noinline)) char *opaque(char *p) { __asm__("" : "+r"(p)); return p; }
static char heap[64];

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	char dst[8], src[4] = "abc", nul[4] = { 'a', 'b', 'c', 'd' };
	char big[16] = "0123456789abcde";
	size_t n = runtime(argc > 2 ? (size_t)argv[2][0] - '0' : 0);
	int r = 0;

	if (!strcmp(c, "memcpy-dst")) memcpy(dst, big, n);
	if (!strcmp(c, "memcpy-src")) memcpy(big, src, n);
	if (!strcmp(c, "memmove")) memmove(dst, big, n);
	if (!strcmp(c, "memset")) memset(dst, 0, n);
	if (!strcmp(c, "memcmp")) r = memcmp(src, big, n);
	if (!strcmp(c, "memchr")) r = memchr(src, 'z', n) != 0;
	if (!strcmp(c, "strlen")) r = (int)strlen(nul + n);
	if (!strcmp(c, "strlen-ok")) r = (int)strlen(src + n);
	/* The interpreter's heap: no size known, nothing checked. */
	if (!strcmp(c, "heap")) memcpy(opaque(heap), big, n + 8);
	if (!strcmp(c, "limits")) r = INT_MAX == 2147483647 && SIZE_MAX == (size_t)-1 && UINT64_MAX == ~(uint64_t)0;
	printf("ok %d\\n", r);
	return 0;
}
`;

describe('freestanding libc fortify (kernel_mod/include/string.h)', () => {
  let dir: string;
  const bins: Record<string, string> = {};
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpy-fortify-'));
    await writeFile(join(dir, 'p.c'), PROGRAM);
    for (const [name, flags] of [
      ['on', ['-DCONFIG_FORTIFY_SOURCE=1']],
      ['off', []],
    ] as const) {
      const obj = join(dir, `p-${name}.o`);
      const c = spawnSync('gcc', ['-nostdinc', '-I', INCLUDE, '-DNDEBUG', '-O2', '-Wall', '-Wno-stringop-overflow', '-Wno-array-bounds', '-Wno-stringop-overread', ...flags, '-c', '-o', obj, join(dir, 'p.c')], { encoding: 'utf8' });
      assert.equal(c.status, 0, c.stderr);
      const bin = join(dir, `p-${name}`);
      const l = spawnSync('gcc', ['-o', bin, obj], { encoding: 'utf8' });
      assert.equal(l.status, 0, l.stderr);
      bins[name] = bin;
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // argv[0] is the program, argv[1] the case, argv[2] the size as one digit.
  const go = (build: string, what: string, n: number) => {
    const r = spawnSync(bins[build] as string, [what, String(n)], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout.trim() };
  };

  it('stops every copy or read past an object whose size the compiler knows, before it happens', () => {
    assert.deepEqual(go('on', 'memcpy-dst', 9), { code: 3, out: 'fail memcpy 9 8' });
    assert.deepEqual(go('on', 'memcpy-src', 5), { code: 3, out: 'fail memcpy 5 4' });
    assert.deepEqual(go('on', 'memmove', 9), { code: 3, out: 'fail memmove 9 8' });
    assert.deepEqual(go('on', 'memset', 9), { code: 3, out: 'fail memset 9 8' });
    assert.deepEqual(go('on', 'memcmp', 5), { code: 3, out: 'fail memcmp 5 4' });
    assert.deepEqual(go('on', 'memchr', 5), { code: 3, out: 'fail memchr 5 4' });
    // No NUL in the 4 - 1 bytes left: strlen would read past the array.
    assert.deepEqual(go('on', 'strlen', 1), { code: 3, out: 'fail strlen 4 3' });
  });

  it('leaves exact fits, terminated strings and unknown sizes alone', () => {
    for (const [what, n] of [['memcpy-dst', 8], ['memcpy-src', 4], ['memmove', 8], ['memset', 8], ['memcmp', 4], ['memchr', 4], ['heap', 8]] as const) {
      assert.equal(go('on', what, n).code, 0, `${what} ${n}`);
    }
    assert.deepEqual(go('on', 'strlen-ok', 1), { code: 0, out: 'ok 2' });
    assert.deepEqual(go('on', 'limits', 0), { code: 0, out: 'ok 1' });
  });

  it('is off without CONFIG_FORTIFY_SOURCE (as the kernel\'s is)', () => {
    // Reads one byte past a stack array (harmless here): unchecked.
    assert.equal(go('off', 'memcmp', 5).code, 0);
    assert.equal(go('off', 'memchr', 5).code, 0);
    assert.equal(go('on', 'memchr', 5).code, 3, 'the same build with it on stops');
  });
});
