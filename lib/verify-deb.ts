import type { TrustLevel } from './build-plan.js';
import { sha256Hex } from './sha256.js';
import { verifyDetached } from './signing/detached-signature.js';
import { checkProvenance, UPLOADED_REFUSAL, type Check } from './verify-artifacts.js';

const AR_MAGIC = Buffer.from('!<arch>\n');

/** Is this an ar archive whose first member is `debian-binary` (what dpkg-deb writes first)? */
export function looksLikeDeb(data: Buffer): boolean {
  return data.subarray(0, 8).equals(AR_MAGIC) && data.subarray(8, 24).toString('latin1').replace(/\/?\s+$/, '') === 'debian-binary';
}

/**
 * Verify a .deb of a build the way the module is verified, minus what only a
 * module has: the provenance (signed by the key of its trust level) lists
 * the file's sha256 as a subject, and the detached signature over the file's
 * bytes verifies with that level's artifact key. The module inside needs no
 * separate check: its bytes are fixed by the package's digest.
 */
export function verifyDeb(a: {
  deb: Buffer;
  signature?: Buffer;
  provenance?: Buffer;
  artifactPublicPem?: string;
  upload?: { artifactPublicPem?: string };
  allowUploaded?: boolean;
}): { ok: boolean; checks: Check[]; trust: TrustLevel | undefined } {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const digest = sha256Hex(a.deb);
  check('debian package', looksLikeDeb(a.deb), looksLikeDeb(a.deb) ? `ar archive, debian-binary first, ${a.deb.length} bytes` : 'not a Debian binary package');
  const trust = checkProvenance(a, digest, check);
  if (trust === 'uploaded') check('trust level', !!a.allowUploaded, a.allowUploaded ? 'uploaded headers (accepted: --allow-uploaded-headers)' : UPLOADED_REFUSAL);
  else if (trust === 'archive') check('trust level', true, "archive: Debian headers verified from the archive's signed index");
  const key = trust === 'uploaded' ? a.upload?.artifactPublicPem : a.artifactPublicPem;
  if (!a.signature) check('detached signature', false, 'missing');
  else if (!key) check('detached signature', false, 'no artifact public key to check it with');
  else {
    const ok = verifyDetached(a.deb, a.signature, key);
    check('detached signature', ok, ok ? `ECDSA P-256 / sha256 over the file verifies${trust === 'uploaded' ? ' with the uploads key' : ''}` : 'does not verify');
  }
  return { ok: checks.every((c) => c.ok), checks, trust };
}
