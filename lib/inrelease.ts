import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFields } from './deb822.js';
import { KpyError } from './errors.js';
import { runCommand } from './run-command.js';

export interface IndexFile {
  sha256: string;
  size: number;
}

export interface VerifiedRelease {
  suite: string;
  /** sha256 of the signed text gpgv returned: identifies this index generation. */
  digest: string;
  date?: string;
  validUntil?: string;
  /** path (e.g. `main/binary-amd64/Packages.xz`) → checksum and size */
  files: Map<string, IndexFile>;
}

/**
 * Verify a clearsigned `InRelease` with gpgv against the Debian archive
 * keyring and return what it signs. Only the text gpgv outputs is parsed, so
 * nothing outside the signature is ever trusted.
 */
export async function verifyInRelease(
  raw: Buffer,
  keyring: string,
  suite: string,
  now = new Date(),
): Promise<VerifiedRelease> {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-gpgv-'));
  try {
    const file = join(dir, 'InRelease');
    await writeFile(file, raw);
    const r = await runCommand('gpgv', ['--quiet', '--keyring', keyring, '--output', '-', file]).catch((err: Error) => {
      throw new KpyError('ARCHIVE_SIGNATURE_INVALID', `cannot run gpgv: ${err.message}`, { cause: err });
    });
    if (r.code !== 0 || r.stdout.length === 0) {
      throw new KpyError('ARCHIVE_SIGNATURE_INVALID', `InRelease of ${suite} did not verify: ${r.stderr.trim()}`);
    }
    return parseRelease(r.stdout.toString('utf8'), suite, now);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function parseRelease(text: string, suite: string, now: Date): VerifiedRelease {
  const fields = parseFields(text);
  if (fields.get('Suite') !== suite && fields.get('Codename') !== suite) {
    throw new KpyError(
      'ARCHIVE_SIGNATURE_INVALID',
      `signed Release names suite ${fields.get('Suite') ?? '?'} / ${fields.get('Codename') ?? '?'}, expected ${suite}`,
    );
  }
  const validUntil = fields.get('Valid-Until');
  if (validUntil && Date.parse(validUntil) < now.getTime()) {
    throw new KpyError('ARCHIVE_SIGNATURE_INVALID', `InRelease of ${suite} expired at ${validUntil}`);
  }
  const files = new Map<string, IndexFile>();
  for (const line of (fields.get('SHA256') ?? '').split('\n')) {
    const m = /^([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line.trim());
    if (m?.[1] && m[2] && m[3]) files.set(m[3], { sha256: m[1], size: Number(m[2]) });
  }
  const date = fields.get('Date');
  return {
    suite,
    digest: createHash('sha256').update(text).digest('hex'),
    ...(date ? { date } : {}),
    ...(validUntil ? { validUntil } : {}),
    files,
  };
}
