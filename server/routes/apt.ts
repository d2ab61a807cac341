import { Router } from 'express';
import type { Core } from '../../lib/core.js';
import { KpyError } from '../../lib/errors.js';

/** by-hash files and .debs never change under their URL; the suite's own files do. */
const IMMUTABLE = /\/by-hash\/SHA256\/[0-9a-f]{64}$|^\/pool\//;

/**
 * The apt repository (lib/packaging/apt-repository.ts) and its key:
 * `deb [signed-by=/usr/share/keyrings/kpython.gpg] http://HOST:8080/apt bookworm main`
 * with the keyring from /v1/keys/apt.gpg.
 */
export function aptRouter(core: Core): Router {
  const r = Router();
  r.get('/v1/keys/apt.gpg', async (_req, res) => {
    res.type('application/pgp-keys').send((await core.aptKey()).publicKeyring);
  });
  r.get('/v1/keys/apt.asc', async (_req, res) => {
    res.type('application/pgp-keys').send((await core.aptKey()).publicArmored);
  });
  r.get('/apt/*path', async (req, res) => {
    const parts = (req.params as { path: string[] }).path;
    const file = await core.apt.file(parts);
    if (!file) throw new KpyError('NOT_FOUND', `no /apt/${parts.join('/')}`);
    const rel = `/${parts.join('/')}`;
    await new Promise<void>((resolve, reject) => {
      res.sendFile(
        file,
        {
          dotfiles: 'allow',
          headers: { 'Cache-Control': IMMUTABLE.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache' },
          ...(rel.endsWith('.deb') ? { headers: { 'Content-Type': 'application/vnd.debian.binary-package', 'Cache-Control': 'public, max-age=31536000, immutable' } } : {}),
        },
        (err) => (err && !res.headersSent ? reject(err) : resolve()),
      );
    });
  });
  return r;
}
