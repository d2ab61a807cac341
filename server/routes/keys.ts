import { Router } from 'express';
import type { Core } from '../../lib/core.js';

/** Public parts of the signing keys: the module certificate (DER for `mokutil --import`, PEM) and the artifact key. */
export function keysRouter(core: Core): Router {
  const r = Router();
  r.get('/v1/keys', (_req, res) => {
    res.json({
      moduleSigningCertificate: { der: '/v1/keys/module-signing.der', pem: '/v1/keys/module-signing.pem' },
      artifactSigningKey: { pem: '/v1/keys/artifact-signing.pem', keyid: core.keys.artifactKeyId },
    });
  });
  r.get('/v1/keys/module-signing.der', (_req, res) => {
    res.type('application/pkix-cert').send(core.keys.moduleCertDer);
  });
  r.get('/v1/keys/module-signing.pem', (_req, res) => {
    const b64 = core.keys.moduleCertDer.toString('base64').replace(/.{1,64}/g, '$&\n');
    res.type('application/x-pem-file').send(`-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`);
  });
  r.get('/v1/keys/artifact-signing.pem', (_req, res) => {
    res.type('application/x-pem-file').send(core.keys.artifactPublicPem);
  });
  return r;
}
