import { readFile } from 'node:fs/promises';
import type { ApiClient } from './api-client.js';

export interface VerifyKeys {
  artifactPublicPem: string;
  moduleCertPem: string;
  upload: { artifactPublicPem?: string; moduleCertPem?: string };
}

/**
 * The keys `verify` checks against: from files when given, else from the
 * service. The keys of builds from uploaded headers are optional (an upload
 * module certificate exists only when the operator configured one); without
 * them such a build simply does not verify.
 */
export async function loadVerifyKeys(
  api: ApiClient,
  o: { key?: string; cert?: string; uploadKey?: string; uploadCert?: string },
): Promise<VerifyKeys> {
  const get = async (file: string | undefined, path: string) => (file ? readFile(file, 'utf8') : (await api.download(path)).toString());
  const optional = (file: string | undefined, path: string) => get(file, path).catch(() => undefined);
  const [artifactPublicPem, moduleCertPem, uploadArtifact, uploadCert] = await Promise.all([
    get(o.key, '/v1/keys/artifact-signing.pem'),
    get(o.cert, '/v1/keys/module-signing.pem'),
    optional(o.uploadKey, '/v1/keys/upload-artifact-signing.pem'),
    optional(o.uploadCert, '/v1/keys/upload-module-signing.pem'),
  ]);
  return {
    artifactPublicPem,
    moduleCertPem,
    upload: { ...(uploadArtifact ? { artifactPublicPem: uploadArtifact } : {}), ...(uploadCert ? { moduleCertPem: uploadCert } : {}) },
  };
}
