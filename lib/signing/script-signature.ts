import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KpyError } from '../errors.js';
import { parseModuleSignature, signModule } from './module-signature.js';

/**
 * Sign a kpython script in the kernel's appended-signature format, the one
 * scripts/sign-file writes for modules (script bytes, detached PKCS#7 over
 * them, struct module_signature, `~Module signature appended~\n`): kpython.ko
 * verifies it against the keys the kernel trusts for modules and strips it.
 * The certificate may be PEM or DER (the service serves DER for mokutil).
 */
export async function signScript(script: Buffer, keyPath: string, certPath: string): Promise<Buffer> {
  if (isSignedScript(script)) throw new KpyError('SIGNING_FAILED', 'the script is already signed');
  const cert = await readFile(certPath);
  if (cert.includes('-----BEGIN CERTIFICATE-----')) return signModule(script, keyPath, certPath);
  let pem: string;
  try {
    pem = new X509Certificate(cert).toString();
  } catch {
    throw new KpyError('SIGNING_FAILED', `${certPath}: not a PEM or DER X.509 certificate`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'kpy-cert-'));
  try {
    const pemPath = join(dir, 'cert.pem');
    await writeFile(pemPath, pem);
    return await signModule(script, keyPath, pemPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The script ends in an appended signature (well-formed or not). */
export function isSignedScript(script: Buffer): boolean {
  try {
    return parseModuleSignature(script) !== undefined;
  } catch {
    return true;
  }
}
