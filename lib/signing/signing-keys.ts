import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config.js';
import { KpyError } from '../errors.js';
import { runCommand } from '../run-command.js';
import { ensureUploadSigningKeys, type UploadSigningConfig, type UploadSigningKeys } from './upload-signing-keys.js';

export interface SigningKeys {
  /** PEM private key and X.509 certificate for the kernel module signature */
  moduleKeyPath: string;
  moduleCertPath: string;
  moduleCertDer: Buffer;
  /** ECDSA P-256 key for the detached signature and the DSSE envelope */
  artifactKey: KeyObject;
  artifactPublicPem: string;
  /** sha256 of the artifact public key (SPKI DER), hex */
  artifactKeyId: string;
  /** keys for builds from uploaded headers, never the ones above (see upload-signing-keys.ts) */
  upload: UploadSigningKeys;
}

/**
 * Load the signing keys, generating any that are missing into
 * `<dataDir>/keys` (private keys mode 0600). Configured paths win.
 */
export async function ensureSigningKeys(
  dataDir: string,
  configured: { moduleKey?: string; moduleCert?: string; artifactKey?: string; upload?: UploadSigningConfig },
  /** KPY_KEYS_DIR: one directory of keys every worker and API of a deployment holds */
  keysDir = join(dataDir, 'keys'),
): Promise<SigningKeys> {
  // A configured certificate is the operator's: never generate a key over it, never write it.
  if (configured.moduleCert && !configured.moduleKey) {
    throw new ConfigError(
      `KPY_MODULE_SIGNING_CERT is set (${configured.moduleCert}) but KPY_MODULE_SIGNING_KEY is not: set both (the key that certificate certifies), or neither to use generated ones`,
    );
  }
  if (configured.moduleKey && !configured.moduleCert) {
    throw new ConfigError(`KPY_MODULE_SIGNING_KEY is set (${configured.moduleKey}) but KPY_MODULE_SIGNING_CERT is not: set both, or neither to use generated ones`);
  }
  const dir = keysDir;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const moduleKeyPath = configured.moduleKey ?? join(dir, 'module-signing.key');
  const moduleCertPath = configured.moduleCert ?? join(dir, 'module-signing.crt');
  if (!configured.moduleKey && !(await exists(moduleKeyPath))) await generateModuleKey(moduleKeyPath, moduleCertPath);
  const certDer = await runCommand('openssl', ['x509', '-in', moduleCertPath, '-outform', 'DER']);
  if (certDer.code !== 0) throw new KpyError('SIGNING_FAILED', `bad module signing certificate: ${certDer.stderr.trim()}`);
  if (configured.moduleKey) {
    const key = createPrivateKey(await readFile(moduleKeyPath));
    if (!new X509Certificate(certDer.stdout).checkPrivateKey(key)) {
      throw new ConfigError(`KPY_MODULE_SIGNING_KEY (${moduleKeyPath}) is not the key of KPY_MODULE_SIGNING_CERT (${moduleCertPath})`);
    }
  }

  const { key: artifactKey, publicPem: artifactPublicPem, keyId: artifactKeyId } = await ensureArtifactKey(
    configured.artifactKey ?? join(dir, 'artifact-signing.key'),
    !configured.artifactKey,
  );
  const upload = await ensureUploadSigningKeys(dir, configured.upload ?? {}, { moduleCertDer: certDer.stdout, artifactKeyId });
  return { moduleKeyPath, moduleCertPath, moduleCertDer: certDer.stdout, artifactKey, artifactPublicPem, artifactKeyId, upload };
}

/** An ECDSA P-256 key (generated at `path` when missing and `generate`), its public PEM and key id. */
export async function ensureArtifactKey(path: string, generate: boolean): Promise<{ key: KeyObject; publicPem: string; keyId: string }> {
  if (generate && !(await exists(path))) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writePrivate(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  }
  const key = createPrivateKey(await readFile(path));
  const pub = createPublicKey(key);
  const publicPem = pub.export({ type: 'spki', format: 'pem' }) as string;
  const keyId = createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
  return { key, publicPem, keyId };
}

/** An RSA key and self-signed code-signing certificate as the kernel's x509.genkey makes them. */
export async function generateModuleKey(keyPath: string, certPath: string, commonName = 'kpython module signing key'): Promise<void> {
  const tmpKey = `${keyPath}.part`;
  const r = await runCommand('openssl', [
    'req', '-new', '-x509', '-newkey', 'rsa:4096', '-nodes', '-sha256', '-days', '36500', '-batch', '-utf8',
    '-subj', `/O=kpython/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=digitalSignature',
    '-addext', 'extendedKeyUsage=codeSigning',
    '-addext', 'subjectKeyIdentifier=hash',
    '-keyout', tmpKey, '-out', `${certPath}.part`,
  ]);
  if (r.code !== 0) throw new KpyError('SIGNING_FAILED', `cannot generate the module signing key: ${r.stderr.trim()}`);
  await chmod(tmpKey, 0o600);
  await rename(`${certPath}.part`, certPath);
  await rename(tmpKey, keyPath);
}

async function writePrivate(path: string, pem: string): Promise<void> {
  await writeFile(`${path}.part`, pem, { mode: 0o600 });
  await rename(`${path}.part`, path);
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
