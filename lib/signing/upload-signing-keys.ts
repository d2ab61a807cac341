import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { KpyError } from '../errors.js';
import { runCommand } from '../run-command.js';
import { ensureArtifactKey, exists, generateModuleKey } from './signing-keys.js';

/**
 * How builds from uploaded headers are signed. Their Makefiles came from the
 * client, so whatever `kpython.ko` they produce is the client's: it never
 * gets the module-signing key machines trust for archive builds.
 *
 * - module signature: none by default. An operator who wants one configures
 *   a separate key and certificate (KPY_UPLOAD_SIGNING_KEY + _CERT), or asks
 *   for one to be generated into the data directory (KPY_UPLOAD_SIGNING=generate);
 *   it is served as /v1/keys/upload-module-signing.{der,pem}.
 * - detached signature and provenance: always a separate ECDSA key
 *   (`upload-artifact-signing.key`, generated), served as
 *   /v1/keys/upload-artifact-signing.pem, so nothing signed with the archive
 *   artifact key ever covers a client-controlled build.
 */
export interface UploadSigningConfig {
  moduleKey?: string;
  moduleCert?: string;
  generate?: boolean;
}

export interface UploadSigningKeys {
  artifactKey: KeyObject;
  artifactPublicPem: string;
  artifactKeyId: string;
  /** present only when the operator configured module signing for uploads */
  module?: { keyPath: string; certPath: string; certDer: Buffer };
}

export async function ensureUploadSigningKeys(
  dir: string,
  configured: UploadSigningConfig,
  archive: { moduleCertDer: Buffer; artifactKeyId: string },
): Promise<UploadSigningKeys> {
  const { key, publicPem, keyId } = await ensureArtifactKey(join(dir, 'upload-artifact-signing.key'), true);
  if (keyId === archive.artifactKeyId) throw new KpyError('SIGNING_FAILED', 'the uploads artifact key must differ from the archive artifact key');
  const base = { artifactKey: key, artifactPublicPem: publicPem, artifactKeyId: keyId };
  if (!configured.moduleKey && !configured.generate) return base;
  const keyPath = configured.moduleKey ?? join(dir, 'upload-module-signing.key');
  const certPath = configured.moduleCert ?? join(dir, 'upload-module-signing.crt');
  if (!configured.moduleKey && !(await exists(keyPath))) {
    await generateModuleKey(keyPath, certPath, 'kpython UPLOADED-HEADERS module signing key');
  }
  const der = await runCommand('openssl', ['x509', '-in', certPath, '-outform', 'DER']);
  if (der.code !== 0) throw new KpyError('SIGNING_FAILED', `bad upload signing certificate: ${der.stderr.trim()}`);
  if (der.stdout.equals(archive.moduleCertDer)) {
    throw new KpyError('SIGNING_FAILED', 'the upload signing certificate is the module-signing one; uploads need their own key');
  }
  return { ...base, module: { keyPath, certPath, certDer: der.stdout } };
}
