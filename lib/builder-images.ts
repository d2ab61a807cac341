import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { KpyError } from './errors.js';
import { parseCompilerText } from './kernel-compiler.js';
import { sha256Hex } from './sha256.js';

const ImageRecordSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  tag: z.string(),
  /** local Docker image ID: what containers run; differs from machine to machine */
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  spec: z.string(),
  suite: z.string(),
  compiler: z.string(),
  /** first line of `<compiler> --version` in the image */
  compilerVersion: z.string().min(1),
  /** Debian version of the compiler package */
  compilerPackage: z.string().default(''),
  /** sha256 of the image's sorted `Package Version Arch` list (dpkg database) */
  packagesSha256: z.string().regex(/^[0-9a-f]{64}$/, 're-record the image: scripts/build-builder-image.sh --record-only NAME'),
  packageCount: z.number().int().nonnegative().default(0),
  /** Debian architecture of the kernels the image builds modules for (records before issue 9: amd64) */
  targetArch: z.string().regex(/^[a-z0-9]+$/).default('amd64'),
  /** Kbuild's CROSS_COMPILE for that target ('' for native builds) */
  crossCompile: z.string().regex(/^([a-z0-9_]+-)*$/).default(''),
});

/** A builder image as scripts/build-builder-image.sh recorded it. */
export type BuilderImage = z.infer<typeof ImageRecordSchema>;

/**
 * What a build key says about the toolchain: the same on every machine whose
 * image holds the same Debian packages, whatever its local image ID.
 */
export interface ToolchainIdentity {
  /** sha256 over the fields below */
  digest: string;
  suite: string;
  compiler: string;
  compilerVersion: string;
  packagesSha256: string;
  /** present for images that build for another architecture than amd64 */
  targetArch?: string;
  crossCompile?: string;
}

export function toolchainIdentity(image: BuilderImage): ToolchainIdentity {
  const fields = {
    schema: 'kpython-toolchain/v1',
    suite: image.suite,
    compiler: image.compiler,
    compilerVersion: image.compilerVersion,
    packagesSha256: image.packagesSha256,
    // only for other targets, so amd64 images keep the build keys they had
    ...(image.targetArch !== 'amd64' ? { targetArch: image.targetArch } : {}),
    ...(image.crossCompile ? { crossCompile: image.crossCompile } : {}),
  };
  const { schema: _schema, ...rest } = fields;
  return { digest: sha256Hex(canonicalJson(fields)), ...rest };
}

/** Family, numeric version and major of the image's compiler. */
export function imageCompiler(image: BuilderImage): { family: 'gcc' | 'clang' | 'unknown'; version: string; major: number; text: string } {
  return { ...parseCompilerText(image.compilerVersion), text: image.compilerVersion };
}

/** Read `<dataDir>/images/<name>.json`; a missing image is COMPILER_UNAVAILABLE. */
export async function readBuilderImage(dataDir: string, name: string): Promise<BuilderImage> {
  const file = join(dataDir, 'images', `${name}.json`);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    throw new KpyError('COMPILER_UNAVAILABLE', `builder image ${name} is not recorded (${file}); run \`npm run setup\``);
  }
  return parseRecord(text, file);
}

/**
 * Every recorded builder image, sorted by name: `<dataDir>/images/*.json`
 * (amd64) and `<dataDir>/images/<target>/*.json` for other targets. The
 * subdirectory keeps cross images out of sight of revisions that predate
 * targets: their selection would take `aarch64-linux-gnu-gcc-12 (Debian
 * 12.2.0-14+deb12u1)` for an amd64 kernel's gcc-12, the same version line
 * after the program name.
 */
export async function listBuilderImages(dataDir: string): Promise<BuilderImage[]> {
  const dir = join(dataDir, 'images');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => join(dir, e.name));
  for (const sub of entries.filter((e) => e.isDirectory() && /^[a-z0-9]+$/.test(e.name))) {
    const names = await readdir(join(dir, sub.name)).catch(() => [] as string[]);
    files.push(...names.filter((n) => n.endsWith('.json')).map((n) => join(dir, sub.name, n)));
  }
  const images = await Promise.all(files.map(async (f) => parseRecord(await readFile(f, 'utf8'), f)));
  return images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function parseRecord(text: string, file: string): BuilderImage {
  const r = ImageRecordSchema.safeParse(JSON.parse(text));
  if (!r.success) {
    throw new KpyError('COMPILER_UNAVAILABLE', `builder image record ${file} is outdated or invalid (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); run \`npm run setup\``);
  }
  return r.data;
}
