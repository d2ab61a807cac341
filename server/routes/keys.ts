import { Router } from 'express';
import type { Core } from '../../lib/core.js';
import { KpyError } from '../../lib/errors.js';

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;

/**
 * Public parts of the signing keys: the module certificate (DER for
 * `mokutil --import`, PEM) and the artifact key for archive builds; under
 * their own names, the keys of builds from uploaded headers (an upload
 * module certificate only when the operator configured one).
 */
export function keysRouter(core: Core): Router {
  const r = Router();
  const { upload } = core.keys;
  r.get('/v1/keys', (_req, res) => {
    res.json({
      moduleSigningCertificate: { der: '/v1/keys/module-signing.der', pem: '/v1/keys/module-signing.pem', trust: 'archive' },
      artifactSigningKey: { pem: '/v1/keys/artifact-signing.pem', keyid: core.keys.artifactKeyId, trust: 'archive' },
      uploadModuleSigningCertificate: upload.module
        ? { der: '/v1/keys/upload-module-signing.der', pem: '/v1/keys/upload-module-signing.pem', trust: 'uploaded' }
        : null,
      uploadArtifactSigningKey: { pem: '/v1/keys/upload-artifact-signing.pem', keyid: upload.artifactKeyId, trust: 'uploaded' },
    });
  });
  r.get('/v1/keys/module-signing.der', (_req, res) => {
    res.type('application/pkix-cert').send(core.keys.moduleCertDer);
  });
  r.get('/v1/keys/module-signing.pem', (_req, res) => {
    res.type('application/x-pem-file').send(pem(core.keys.moduleCertDer));
  });
  r.get('/v1/keys/artifact-signing.pem', (_req, res) => {
    res.type('application/x-pem-file').send(core.keys.artifactPublicPem);
  });
  const uploadCert = () => {
    if (!upload.module) throw new KpyError('NOT_FOUND', 'builds from uploaded headers carry no module signature here (no upload signing key configured)');
    return upload.module.certDer;
  };
  r.get('/v1/keys/upload-module-signing.der', (_req, res) => {
    res.type('application/pkix-cert').send(uploadCert());
  });
  r.get('/v1/keys/upload-module-signing.pem', (_req, res) => {
    res.type('application/x-pem-file').send(pem(uploadCert()));
  });
  r.get('/v1/keys/upload-artifact-signing.pem', (_req, res) => {
    res.type('application/x-pem-file').send(upload.artifactPublicPem);
  });
  return r;
}
