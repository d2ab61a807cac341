/**
 * What a kernel's `.config` says about the toolchain it was built with, and
 * what a compiler's `--version` line says about itself. Kbuild writes
 * `CONFIG_CC_VERSION_TEXT` as the first line of `$(CC) --version`, so the
 * two compare directly.
 */
export interface KernelCompiler {
  /** CONFIG_CC_VERSION_TEXT, e.g. `gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0` */
  text: string;
  family: 'gcc' | 'clang' | 'unknown';
  /** numeric version `12.2.0` (from CONFIG_GCC_VERSION / CONFIG_CLANG_VERSION, else the text) */
  version: string;
  major: number;
  /** CONFIG_LD_IS_LLD */
  ldIsLld: boolean;
  /** CONFIG_GCC_PLUGINS: plugins are built for one exact gcc */
  gccPlugins: boolean;
}

export interface KernelConfigFacts {
  compiler: KernelCompiler;
  /** Debian architecture the config targets, when recognisable */
  arch: string | undefined;
}

/** `CONFIG_X=value` lines of a `.config` (quotes removed); `# CONFIG_X is not set` is absent. */
export function parseKconfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    const v = m[2];
    out.set(m[1], v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(["\\])/g, '$1') : v);
  }
  return out;
}

/** 120200 → "12.2.0" (Kbuild's CONFIG_GCC_VERSION / CONFIG_CLANG_VERSION encoding). */
function fromKconfigNumber(n: string | undefined): string | undefined {
  if (!n || !/^\d{5,6}$/.test(n) || Number(n) === 0) return undefined;
  const v = Number(n);
  return `${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}.${v % 100}`;
}

/** Family and version from a `--version` first line. */
export function parseCompilerText(text: string): { family: KernelCompiler['family']; version: string; major: number } {
  const family: KernelCompiler['family'] = /clang/i.test(text) ? 'clang' : /\b(gcc|GCC)\b|^gcc-\d+|^[\w.-]*-gcc(-\d+)?\b/.test(text) ? 'gcc' : 'unknown';
  // gcc prints the version last ("... 12.2.0"), clang after "version".
  const versions = [...text.matchAll(/\b(\d+)\.(\d+)(?:\.(\d+))?\b/g)];
  const pick = family === 'clang' ? versions.find((m) => text.slice(0, m.index).endsWith('version ')) ?? versions[0] : versions.at(-1);
  const version = pick ? `${pick[1]}.${pick[2]}.${pick[3] ?? '0'}` : '';
  return { family, version, major: pick ? Number(pick[1]) : 0 };
}

/** The toolchain facts of a kernel `.config` (text). */
export function kernelConfigFacts(configText: string): KernelConfigFacts {
  const k = parseKconfig(configText);
  const text = k.get('CONFIG_CC_VERSION_TEXT') ?? '';
  const parsed = parseCompilerText(text);
  const isClang = k.get('CONFIG_CC_IS_CLANG') === 'y';
  const isGcc = k.get('CONFIG_CC_IS_GCC') === 'y';
  const family: KernelCompiler['family'] = isClang ? 'clang' : isGcc ? 'gcc' : parsed.family;
  const numeric = fromKconfigNumber(isClang ? k.get('CONFIG_CLANG_VERSION') : k.get('CONFIG_GCC_VERSION'));
  const version = numeric ?? parsed.version;
  return {
    compiler: {
      text,
      family,
      version,
      major: version ? Number(version.split('.')[0]) : 0,
      ldIsLld: k.get('CONFIG_LD_IS_LLD') === 'y',
      gccPlugins: k.get('CONFIG_GCC_PLUGINS') === 'y',
    },
    arch: archOf(k),
  };
}

function archOf(k: Map<string, string>): string | undefined {
  if (k.get('CONFIG_X86_64') === 'y') return 'amd64';
  if (k.get('CONFIG_ARM64') === 'y') return 'arm64';
  if (k.get('CONFIG_X86_32') === 'y') return 'i386';
  if (k.get('CONFIG_RISCV') === 'y' && k.get('CONFIG_64BIT') === 'y') return 'riscv64';
  if (k.get('CONFIG_PPC64') === 'y' && k.get('CONFIG_CPU_LITTLE_ENDIAN') === 'y') return 'ppc64el';
  if (k.get('CONFIG_S390') === 'y') return 's390x';
  if (k.get('CONFIG_ARM') === 'y') return 'armhf';
  return undefined;
}

/** "gcc 12.2.0 (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0)" for messages. */
export function describeCompiler(c: Pick<KernelCompiler, 'family' | 'version' | 'text'>): string {
  return c.text ? `${c.family} ${c.version} ("${c.text}")` : `${c.family} ${c.version}`;
}
