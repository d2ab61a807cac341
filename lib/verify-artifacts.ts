import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrustLevel } from './build-plan.js';
import { readModinfo } from './elf-modinfo.js';
import { sha256Hex } from './sha256.js';
import { verifyDetached } from './signing/detached-signature.js';
import { openEnvelope, type DsseEnvelope } from './signing/dsse.js';
import { parseModuleSignature, verifyModuleSignature } from './signing/module-signature.js';
import { ARCHIVE_BUILD_TYPE, UPLOADED_BUILD_TYPE } from './signing/provenance.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export const UPLOADED_REFUSAL =
  'built from uploaded headers: their Makefiles came from the client, so the service does not vouch for this module ' +
  '(no module-signing key); pass --allow-uploaded-headers to accept it';

interface Statement {
  predicateType?: string;
  subject?: { name: string; digest: { sha256?: string } }[];
  predicate?: { buildDefinition?: { buildType?: string } };
}

/**
 * Verify a kpython.ko the way a CI job should. The provenance decides the
 * trust level: signed with the archive artifact key and of the archive build
 * type, or signed with the uploads key and of the uploaded build type. An
 * archive build needs a module signature that verifies with the module
 * certificate; an uploaded build is refused unless `allowUploaded`, and then
 * carries no module signature or one by the operator's upload key, never
 * the archive's. The detached signature must verify with the key of the
 * same level.
 */
export async function verifyArtifacts(a: {
  module: Buffer;
  signature?: Buffer;
  provenance?: Buffer;
  artifactPublicPem?: string;
  moduleCertPem?: string;
  /** keys of builds from uploaded headers, as /v1/keys/upload-* serves them */
  upload?: { artifactPublicPem?: string; moduleCertPem?: string };
  allowUploaded?: boolean;
}): Promise<{ ok: boolean; checks: Check[]; trust: TrustLevel | undefined }> {
  const checks: Check[] = [];
  const digest = sha256Hex(a.module);
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  // Provenance first: it says which trust level (and so which keys) apply.
  const trust = checkProvenance(a, digest, check);
  if (trust === 'uploaded') check('trust level', !!a.allowUploaded, a.allowUploaded ? 'uploaded headers (accepted: --allow-uploaded-headers)' : UPLOADED_REFUSAL);
  else if (trust === 'archive') check('trust level', true, 'archive: Debian headers verified from the archive\'s signed index');

  let parts: ReturnType<typeof parseModuleSignature>;
  try {
    parts = parseModuleSignature(a.module);
  } catch (err) {
    check('module signature', false, (err as Error).message);
  }
  if (trust === 'uploaded') await checkUploadedModuleSignature(a, parts, check);
  else {
    check('module signature', !!parts && parts.pkcs7[0] === 0x30, parts ? `PKCS#7, ${parts.pkcs7.length} bytes` : 'no "~Module signature appended~" trailer');
    if (parts && a.moduleCertPem) {
      const ok = await verifiesWith(a.module, a.moduleCertPem);
      check('module signature key', ok, ok ? 'verifies with the module signing certificate' : 'does not verify with the certificate');
    }
  }
  try {
    const vermagic = readModinfo(parts?.unsigned ?? a.module).get('vermagic')?.[0];
    check('kernel module', !!vermagic, vermagic ? `vermagic "${vermagic.trim()}"` : 'no vermagic');
  } catch (err) {
    check('kernel module', false, (err as Error).message);
  }
  const detachedKey = trust === 'uploaded' ? a.upload?.artifactPublicPem : a.artifactPublicPem;
  if (a.signature) {
    if (!detachedKey) check('detached signature', false, 'no artifact public key to check it with');
    else {
      const ok = verifyDetached(a.module, a.signature, detachedKey);
      check('detached signature', ok, ok ? `ECDSA P-256 / sha256 verifies${trust === 'uploaded' ? ' with the uploads key' : ''}` : 'does not verify');
    }
  } else check('detached signature', false, 'missing');
  return { ok: checks.every((c) => c.ok), checks, trust };
}

/**
 * The provenance check shared by every signed artifact (the module, its
 * .debs): the DSSE envelope verifies with the archive key (archive build
 * type) or the uploads key (uploaded build type), and lists a subject with
 * the file's sha256. Returns the trust level it proves, if any.
 */
export function checkProvenance(
  a: { provenance?: Buffer; artifactPublicPem?: string; upload?: { artifactPublicPem?: string } },
  digest: string,
  check: (name: string, ok: boolean, detail: string) => void,
): TrustLevel | undefined {
  let trust: TrustLevel | undefined;
  if (a.provenance) {
    try {
      const env = JSON.parse(a.provenance.toString('utf8')) as DsseEnvelope;
      const archiveBody = a.artifactPublicPem ? openEnvelope(env, a.artifactPublicPem) : undefined;
      const uploadBody = !archiveBody && a.upload?.artifactPublicPem ? openEnvelope(env, a.upload.artifactPublicPem) : undefined;
      const body = archiveBody ?? uploadBody;
      if (!body) {
        const claims = peekBuildType(env) === UPLOADED_BUILD_TYPE ? ' (its unverified payload claims uploaded headers)' : '';
        check('provenance', false, `DSSE signature does not verify${claims}`);
      } else {
        const st = JSON.parse(body.toString('utf8')) as Statement;
        const buildType = st.predicate?.buildDefinition?.buildType;
        const expected = archiveBody ? ARCHIVE_BUILD_TYPE : UPLOADED_BUILD_TYPE;
        const subject = st.subject?.find((s) => s.digest.sha256 === digest);
        if (buildType !== expected) {
          check('provenance', false, `build type ${buildType ?? '(none)'} is not ${expected}, the type its signing key is for`);
        } else {
          trust = archiveBody ? 'archive' : 'uploaded';
          check(
            'provenance',
            !!subject && st.predicateType === 'https://slsa.dev/provenance/v1',
            subject ? `SLSA v1, subject ${subject.name} sha256:${digest}` : `no subject with sha256:${digest}`,
          );
        }
      }
    } catch (err) {
      check('provenance', false, `unreadable: ${(err as Error).message}`);
    }
  } else check('provenance', false, 'missing');

  return trust;
}

async function checkUploadedModuleSignature(
  a: { module: Buffer; moduleCertPem?: string; upload?: { moduleCertPem?: string } },
  parts: ReturnType<typeof parseModuleSignature>,
  check: (name: string, ok: boolean, detail: string) => void,
): Promise<void> {
  if (!parts) {
    check('module signature', true, 'none: builds from uploaded headers carry no module signature (loading taints the kernel, or sign it with your own key)');
    return;
  }
  if (a.moduleCertPem && (await verifiesWith(a.module, a.moduleCertPem))) {
    check('module signature', false, 'an uploaded build signed with the archive module-signing key: refuse it');
    return;
  }
  if (!a.upload?.moduleCertPem) {
    check('module signature', false, 'signed, but there is no upload module certificate to check it with');
    return;
  }
  const ok = await verifiesWith(a.module, a.upload.moduleCertPem);
  check('module signature', ok, ok ? 'verifies with the upload module signing certificate (not the archive one)' : 'does not verify with the upload certificate');
}

async function verifiesWith(module: Buffer, certPem: string): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-cert-'));
  try {
    await writeFile(join(dir, 'cert.pem'), certPem);
    return await verifyModuleSignature(module, join(dir, 'cert.pem'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The build type an envelope's payload claims, without trusting it (for the message only). */
function peekBuildType(env: DsseEnvelope): string | undefined {
  try {
    return (JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as Statement).predicate?.buildDefinition?.buildType;
  } catch {
    return undefined;
  }
}
