import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModinfo } from './elf-modinfo.js';
import { sha256Hex } from './sha256.js';
import { verifyDetached } from './signing/detached-signature.js';
import { openEnvelope, type DsseEnvelope } from './signing/dsse.js';
import { parseModuleSignature, verifyModuleSignature } from './signing/module-signature.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Verify a kpython.ko the way a CI job should: the appended module signature
 * is present and well-formed (and verifies with the certificate, if given),
 * the detached signature verifies with the artifact key, and the provenance
 * envelope verifies and names this file's digest as its subject.
 */
export async function verifyArtifacts(a: {
  module: Buffer;
  signature?: Buffer;
  provenance?: Buffer;
  artifactPublicPem?: string;
  moduleCertPem?: string;
}): Promise<{ ok: boolean; checks: Check[] }> {
  const checks: Check[] = [];
  const digest = sha256Hex(a.module);
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  let parts: ReturnType<typeof parseModuleSignature>;
  try {
    parts = parseModuleSignature(a.module);
    check('module signature', !!parts && parts.pkcs7[0] === 0x30, parts ? `PKCS#7, ${parts.pkcs7.length} bytes` : 'no "~Module signature appended~" trailer');
  } catch (err) {
    check('module signature', false, (err as Error).message);
  }
  if (parts && a.moduleCertPem) {
    const dir = await mkdtemp(join(tmpdir(), 'kpy-cert-'));
    try {
      await writeFile(join(dir, 'cert.pem'), a.moduleCertPem);
      const ok = await verifyModuleSignature(a.module, join(dir, 'cert.pem'));
      check('module signature key', ok, ok ? 'verifies with the module signing certificate' : 'does not verify with the certificate');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  try {
    const vermagic = readModinfo(parts?.unsigned ?? a.module).get('vermagic')?.[0];
    check('kernel module', !!vermagic, vermagic ? `vermagic "${vermagic.trim()}"` : 'no vermagic');
  } catch (err) {
    check('kernel module', false, (err as Error).message);
  }
  if (a.signature) {
    if (!a.artifactPublicPem) check('detached signature', false, 'no artifact public key to check it with');
    else {
      const ok = verifyDetached(a.module, a.signature, a.artifactPublicPem);
      check('detached signature', ok, ok ? 'ECDSA P-256 / sha256 verifies' : 'does not verify');
    }
  } else check('detached signature', false, 'missing');
  if (a.provenance) {
    try {
      const env = JSON.parse(a.provenance.toString('utf8')) as DsseEnvelope;
      const body = a.artifactPublicPem ? openEnvelope(env, a.artifactPublicPem) : undefined;
      if (!body) check('provenance', false, 'DSSE signature does not verify');
      else {
        const st = JSON.parse(body.toString('utf8')) as { predicateType?: string; subject?: { name: string; digest: { sha256?: string } }[] };
        const subject = st.subject?.find((s) => s.digest.sha256 === digest);
        check(
          'provenance',
          !!subject && st.predicateType === 'https://slsa.dev/provenance/v1',
          subject ? `SLSA v1, subject ${subject.name} sha256:${digest}` : `no subject with sha256:${digest}`,
        );
      }
    } catch (err) {
      check('provenance', false, `unreadable: ${(err as Error).message}`);
    }
  } else check('provenance', false, 'missing');
  return { ok: checks.every((c) => c.ok), checks };
}
