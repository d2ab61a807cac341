import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuilderImage } from '../../lib/builder-images.js';
import { kernelConfigFacts, parseCompilerText, parseKconfig } from '../../lib/kernel-compiler.js';
import { sameCompilerBuild, selectToolchain } from '../../lib/toolchain-select.js';

const img = (name: string, compilerVersion: string, compiler = name.split('-')[1]?.replace(/(\d+)$/, '-$1') ?? 'gcc'): BuilderImage => ({
  name, tag: `kpython-builder:${name}`, id: `sha256:${'a'.repeat(64)}`, spec: 's', suite: name.split('-')[0] ?? '', compiler,
  compilerVersion, compilerPackage: '', packagesSha256: 'b'.repeat(64), packageCount: 1, targetArch: 'amd64', crossCompile: '',
});
const bookworm = img('bookworm-gcc12', 'gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0');
const trixie = img('trixie-gcc14', 'gcc-14 (Debian 14.2.0-19) 14.2.0');
const images = [trixie, bookworm];
const kc = (text: string, extra = '') => kernelConfigFacts(`CONFIG_CC_VERSION_TEXT="${text}"\n${extra}`).compiler;
const code = (c: string) => (e: { code?: string }) => e.code === c;

test('compiler version lines and .config facts', () => {
  assert.deepEqual(parseCompilerText('gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0'), { family: 'gcc', version: '12.2.0', major: 12 });
  assert.deepEqual(parseCompilerText('gcc (GCC) 13.2.1 20230801'), { family: 'gcc', version: '13.2.1', major: 13 });
  assert.deepEqual(parseCompilerText('x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0'), { family: 'gcc', version: '14.2.0', major: 14 });
  assert.deepEqual(parseCompilerText('Debian clang version 16.0.6 (15)'), { family: 'clang', version: '16.0.6', major: 16 });
  const f = kernelConfigFacts('CONFIG_X86_64=y\nCONFIG_CC_VERSION_TEXT="gcc-14 (Debian 14.2.0-19) 14.2.0"\nCONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=140200\n# CONFIG_GCC_PLUGINS is not set\n');
  assert.deepEqual(f, { arch: 'amd64', compiler: { text: 'gcc-14 (Debian 14.2.0-19) 14.2.0', family: 'gcc', version: '14.2.0', major: 14, ldIsLld: false, gccPlugins: false } });
  assert.equal(parseKconfig('CONFIG_A="x \\"y\\""\n').get('CONFIG_A'), 'x "y"');
  const clang = kernelConfigFacts('CONFIG_ARM64=y\nCONFIG_CC_VERSION_TEXT="Ubuntu clang version 18.1.3 (1ubuntu1)"\nCONFIG_CC_IS_CLANG=y\nCONFIG_CLANG_VERSION=180103\nCONFIG_LD_IS_LLD=y\n');
  assert.equal(clang.arch, 'arm64');
  assert.deepEqual([clang.compiler.family, clang.compiler.version, clang.compiler.ldIsLld], ['clang', '18.1.3', true]);
});

test('the exact compiler wins; else the same major; never another compiler', () => {
  assert.deepEqual(selectToolchain(images, kc('gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0', 'CONFIG_GCC_VERSION=120200')), { image: bookworm, match: 'exact' });
  assert.deepEqual(selectToolchain(images, kc('gcc-14 (Debian 14.2.0-19) 14.2.0')), { image: trixie, match: 'exact' });
  // Debian's 6.12 kernels name the triplet-prefixed binary of the same package.
  assert.deepEqual(selectToolchain(images, kc('x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0')), { image: trixie, match: 'exact' });
  assert.deepEqual(selectToolchain(images, kc('x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0')), { image: bookworm, match: 'exact' });
  assert.equal(sameCompilerBuild('x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0', 'gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0'), false);
  assert.equal(sameCompilerBuild('gcc-13 (Debian 12.2.0-14) 12.2.0', 'gcc-12 (Debian 12.2.0-14) 12.2.0'), false);
  // An older bookworm kernel built before a gcc-12 point update: same major.
  assert.deepEqual(selectToolchain(images, kc('gcc-12 (Debian 12.2.0-14) 12.2.0', 'CONFIG_GCC_VERSION=120200')), { image: bookworm, match: 'major' });
  assert.deepEqual(selectToolchain(images, kc('gcc (GCC) 14.3.1 20250523')), { image: trixie, match: 'major' });
  assert.throws(() => selectToolchain(images, kc('gcc-13 (Debian 13.3.0-1) 13.3.0')), (e: { code?: string; message: string; details?: { available: string[] } }) =>
    e.code === 'COMPILER_UNAVAILABLE' && /gcc 13/.test(e.message) && /bookworm-gcc12: gcc-12/.test(e.message) && e.details?.available.length === 2);
  assert.throws(() => selectToolchain(images, kc('Debian clang version 16.0.6 (15)', 'CONFIG_CC_IS_CLANG=y\nCONFIG_CLANG_VERSION=160006')), code('COMPILER_UNAVAILABLE'));
  assert.throws(() => selectToolchain(images, kc('gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0'), 'arm64'), /no builder image here compiles for arm64/);
  assert.throws(() => selectToolchain(images, kc('gcc-12 (Debian 12.2.0-14) 12.2.0', 'CONFIG_GCC_PLUGINS=y')), /GCC plugins/);
  assert.throws(() => selectToolchain(images, kc('')), /names no compiler/);
  assert.throws(() => selectToolchain([], kc('gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0')), /none \(run `npm run setup`\)/);
});

// issue 9: images per target architecture; arm64 only with the exact compiler build
const arm = (name: string, compiler: string, compilerVersion: string): BuilderImage => ({ ...img(name, compilerVersion, compiler), targetArch: 'arm64', crossCompile: 'aarch64-linux-gnu-' });
const armExact = arm('bookworm-arm64-gcc12', 'aarch64-linux-gnu-gcc-12', 'aarch64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0');
const armCross = arm('bookworm-arm64-cross', 'aarch64-linux-gnu-gcc-12', 'aarch64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0');
const armTrixie = arm('trixie-arm64-gcc14', 'aarch64-linux-gnu-gcc-14', 'aarch64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0');
const bookwormArm64 = kc('gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0', 'CONFIG_ARM64=y\nCONFIG_GCC_VERSION=120200');

test('arm64 kernels get an arm64 image with their exact compiler, never an amd64 one or a same-major cross compiler', () => {
  const all = [...images, armCross, armExact, armTrixie];
  assert.deepEqual(selectToolchain(all, bookwormArm64, 'arm64'), { image: armExact, match: 'exact' });
  assert.deepEqual(selectToolchain(all, kc('aarch64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0'), 'arm64'), { image: armTrixie, match: 'exact' });
  // the same text on amd64 still picks the amd64 image
  assert.deepEqual(selectToolchain(all, bookwormArm64), { image: bookworm, match: 'exact' });
  // only the cross compiler: refused, naming the kernel's compiler and the one there is
  assert.throws(() => selectToolchain([...images, armCross, armTrixie], bookwormArm64, 'arm64'), (e: { code?: string; message: string }) =>
    e.code === 'COMPILER_UNAVAILABLE' && e.message.includes('12.2.0-14+deb12u1') && e.message.includes('bookworm-arm64-cross has "aarch64-linux-gnu-gcc-12 (Debian 12.2.0-14) 12.2.0"') && /exact compiler build/.test(e.message));
  // an older arm64 kernel of the same major: no silent "major" match either
  assert.throws(() => selectToolchain([armExact, armTrixie], kc('gcc-12 (Debian 12.2.0-14) 12.2.0'), 'arm64'), /bookworm-arm64-gcc12 has/);
  assert.throws(() => selectToolchain(all, bookwormArm64, 'riscv64'), /no builder image here compiles for riscv64/);
});
