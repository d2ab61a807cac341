import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { exists } from './signing-keys.js';

/** The OpenPGP key that signs the apt repository's Release files. */
export interface AptSigningKey {
  /** binary public key (what `signed-by=` and /usr/share/keyrings/ take) */
  publicKeyring: Buffer;
  publicArmored: string;
  fingerprint: string;
  /** InRelease: the Release text, clear-signed */
  clearSign(text: string): Promise<string>;
  /** Release.gpg: an armored detached signature over the Release bytes */
  detachSign(data: Buffer): Promise<string>;
}

/**
 * Load the apt signing key from `path` (armored, mode 0600), generating it
 * when missing, like the other keys in the data directory. An Ed25519 key
 * (OpenPGP v4, what gpgv on bookworm and sqv on trixie both verify; RSA 4096
 * took 4.5 s to generate in JavaScript here). An API and a worker starting
 * together agree on one key: the first link() wins, the other reads it.
 */
export async function ensureAptSigningKey(path: string): Promise<AptSigningKey> {
  if (!(await exists(path))) {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'kpython apt repository', email: 'kpython@localhost' }],
      format: 'armored',
    });
    const part = `${path}.${randomBytes(6).toString('hex')}.part`;
    await writeFile(part, privateKey, { mode: 0o600 });
    await link(part, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await rm(part, { force: true });
  }
  const key = await openpgp.readPrivateKey({ armoredKey: await readFile(path, 'utf8') });
  const pub = key.toPublic();
  return {
    publicKeyring: Buffer.from(pub.write()),
    publicArmored: pub.armor(),
    fingerprint: key.getFingerprint().toUpperCase(),
    clearSign: async (text) => openpgp.sign({ message: await openpgp.createCleartextMessage({ text }), signingKeys: key }),
    detachSign: async (data) =>
      openpgp.sign({ message: await openpgp.createMessage({ binary: new Uint8Array(data) }), signingKeys: key, detached: true, format: 'armored' }),
  };
}
