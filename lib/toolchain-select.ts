import { imageCompiler, type BuilderImage } from './builder-images.js';
import { KpyError } from './errors.js';
import { describeCompiler, type KernelCompiler } from './kernel-compiler.js';

/**
 * Targets other than the builders' own architecture are built only with the
 * kernel's exact compiler build, never "the same major": for bookworm arm64
 * the cross compiler (12.2.0-14cross1) lacks the AArch64 stack-protector fix
 * (CVE-2023-4039) of the kernels' gcc 12.2.0-14+deb12u1, and 57 of
 * kpython's 102 objects come out different. `exact` images for them run the
 * kernel's own compiler (docker/bookworm-arm64-gcc12: native arm64 gcc
 * under qemu-user; trixie: the cross gcc-14 Debian built its kernels with).
 */
export const EXACT_ONLY_ARCHES: ReadonlySet<string> = new Set(['arm64']);

export interface ToolchainChoice {
  image: BuilderImage;
  /** exact: the image's `--version` line is the kernel's CONFIG_CC_VERSION_TEXT; major: same family and major version */
  match: 'exact' | 'major';
}

/**
 * The builder image whose compiler is the kernel's: the exact compiler build
 * when an image has it (see sameCompilerBuild), else one of the same family and major version (the
 * closest version, then by name). Anything else would be a silent compiler
 * mismatch, so it is COMPILER_UNAVAILABLE naming what is needed and what
 * there is.
 */
export function selectToolchain(images: readonly BuilderImage[], kernel: KernelCompiler, arch = 'amd64'): ToolchainChoice {
  const available = images.map((i) => `${i.name}: ${i.compilerVersion}`);
  const refuse = (why: string): never => {
    throw new KpyError('COMPILER_UNAVAILABLE', `${why}; builder images here: ${available.join('; ') || 'none (run `npm run setup`)'}`, {
      details: { needed: { ...kernel }, available },
    });
  };
  const forArch = images.filter((i) => i.targetArch === arch);
  if (!forArch.length) refuse(`the kernel is for ${arch}; no builder image here compiles for ${arch}`);
  if (!kernel.text && !kernel.version) refuse('the kernel .config names no compiler (CONFIG_CC_VERSION_TEXT)');
  if (kernel.ldIsLld) refuse(`the kernel was linked with ld.lld (CONFIG_LD_IS_LLD); no builder image has it`);
  const exact = forArch.filter((i) => sameCompilerBuild(i.compilerVersion, kernel.text));
  if (exact.length) return { image: byName(exact)[0] as BuilderImage, match: 'exact' };
  const needed = `the kernel was built with ${describeCompiler(kernel)}`;
  if (EXACT_ONLY_ARCHES.has(arch)) {
    const near = forArch.filter((i) => imageCompiler(i).family === kernel.family && imageCompiler(i).major === kernel.major);
    refuse(
      `${needed}; ${arch} modules are built only with that exact compiler build` +
        (near.length ? `, and ${near.map((i) => `${i.name} has "${i.compilerVersion}"`).join(', ')} (same major, another build)` : ''),
    );
  }
  if (kernel.gccPlugins) refuse(`${needed} and GCC plugins (CONFIG_GCC_PLUGINS), which only that exact compiler can load`);
  const sameMajor = forArch.filter((i) => {
    const c = imageCompiler(i);
    return c.family === kernel.family && c.major === kernel.major && kernel.major > 0;
  });
  if (!sameMajor.length) refuse(`${needed}: no builder image has ${kernel.family} ${kernel.major || '?'}`);
  const distance = (v: string) => {
    const [a = 0, b = 0, c = 0] = v.split('.').map(Number);
    const [x = 0, y = 0, z = 0] = kernel.version.split('.').map(Number);
    return Math.abs(a - x) * 1e6 + Math.abs(b - y) * 1e3 + Math.abs(c - z);
  };
  const best = [...byName(sameMajor)].sort((p, q) => distance(imageCompiler(p).version) - distance(imageCompiler(q).version))[0];
  return { image: best as BuilderImage, match: 'major' };
}

/**
 * Is `a` the same compiler build as `b`? The `--version` lines differ only in
 * the program name when Kbuild called the triplet-prefixed binary
 * (`x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0`) and the image
 * reports `gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0`: the same package, the
 * same binary. Everything after the program name must be equal.
 */
export function sameCompilerBuild(a: string, b: string): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  const prog = (t: string) => /^(\S+)\s/.exec(t)?.[1] ?? '';
  const rest = (t: string) => t.slice(prog(t).length).trim();
  const base = (p: string) => p.replace(/^[a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+-(?=(gcc|clang|cc)\b)/, '');
  return rest(a) === rest(b) && rest(a).length > 0 && base(prog(a)) === base(prog(b));
}

function byName(images: BuilderImage[]): BuilderImage[] {
  return [...images].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
