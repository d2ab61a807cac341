import { gunzipSync } from 'node:zlib';
import { parseDepends, parseParagraphs, type Dependency } from './deb822.js';
import { KpyError } from './errors.js';
import { fetchBytes } from './http-fetch.js';
import type { VerifiedRelease } from './inrelease.js';
import { runCommand } from './run-command.js';
import { sha256Hex } from './sha256.js';

/** One binary package of the archive, as its verified Packages index lists it. */
export interface DebPackage {
  name: string;
  version: string;
  arch: string;
  source: string;
  filename: string;
  size: number;
  sha256: string;
  depends: Dependency[][];
  suite: string;
  /** absolute URL of the .deb */
  url: string;
}

/**
 * Fetch `<component>/binary-<arch>/Packages` of a verified release (the .gz
 * form if listed, else .xz), check the compressed and uncompressed checksums
 * against the signed Release, and return the paragraphs `keep` selects.
 */
export async function fetchPackagesIndex(opts: {
  mirror: string;
  release: VerifiedRelease;
  component: string;
  arch: string;
  keep: (name: string) => boolean;
}): Promise<DebPackage[]> {
  const { mirror, release, component, arch } = opts;
  const base = `${component}/binary-${arch}/Packages`;
  const plain = release.files.get(base);
  const variant = ['.gz', '.xz'].find((ext) => release.files.has(base + ext));
  if (!variant) {
    throw new KpyError('ARCHIVE_UNAVAILABLE', `${release.suite}: Release lists no ${base}.gz or ${base}.xz`);
  }
  const listed = release.files.get(base + variant);
  const url = `${mirror}/dists/${release.suite}/${base}${variant}`;
  const compressed = await fetchBytes(url, 180_000);
  checkDigest(compressed, listed, url);
  const text = variant === '.gz' ? gunzipSync(compressed) : await unxz(compressed, url);
  if (plain) checkDigest(text, plain, `${url} (uncompressed)`);
  return parsePackages(text.toString('utf8'), release.suite, mirror, opts.keep);
}

export function parsePackages(
  text: string,
  suite: string,
  mirror: string,
  keep: (name: string) => boolean,
): DebPackage[] {
  const paras = parseParagraphs(text, (first) => first.startsWith('Package: ') && keep(first.slice(9).trim()));
  return paras.map((f) => {
    const name = f.get('Package') ?? '';
    const version = f.get('Version') ?? '';
    const filename = f.get('Filename') ?? '';
    const sha256 = f.get('SHA256') ?? '';
    if (!version || !filename || !/^[0-9a-f]{64}$/.test(sha256)) {
      throw new KpyError('ARCHIVE_CHECKSUM_MISMATCH', `${suite}: incomplete index entry for ${name}`);
    }
    return {
      name,
      version,
      arch: f.get('Architecture') ?? '',
      source: (f.get('Source') ?? name).replace(/\s.*$/, ''),
      filename,
      size: Number(f.get('Size') ?? 0),
      sha256,
      depends: parseDepends(f.get('Depends')),
      suite,
      url: `${mirror}/${filename}`,
    };
  });
}

function checkDigest(data: Buffer, want: { sha256: string; size: number } | undefined, what: string): void {
  const got = sha256Hex(data);
  if (!want || want.sha256 !== got || want.size !== data.length) {
    throw new KpyError('ARCHIVE_CHECKSUM_MISMATCH', `${what}: sha256 ${got} (${data.length} bytes) does not match the signed Release`);
  }
}

async function unxz(data: Buffer, what: string): Promise<Buffer> {
  const r = await runCommand('xz', ['-dc'], data).catch((err: Error) => {
    throw new KpyError('ARCHIVE_UNAVAILABLE', `cannot run xz for ${what}: ${err.message}`, { cause: err });
  });
  if (r.code !== 0) throw new KpyError('ARCHIVE_CHECKSUM_MISMATCH', `${what}: xz failed: ${r.stderr.trim()}`);
  return r.stdout;
}
