import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KpyError } from '../errors.js';
import { runCommand } from '../run-command.js';

export const MODULE_SIG_MAGIC = '~Module signature appended~\n';
const PKEY_ID_PKCS7 = 2;

/**
 * Append a kernel module signature as scripts/sign-file does: a detached
 * PKCS#7 (CMS) SignedData over the module, no signed attributes, no
 * certificates, then `struct module_signature` (id_type PKEY_ID_PKCS7,
 * big-endian sig_len) and the magic string.
 */
export async function signModule(unsigned: Buffer, keyPath: string, certPath: string, hash = 'sha256'): Promise<Buffer> {
  if (parseModuleSignature(unsigned)) throw new KpyError('SIGNING_FAILED', 'module is already signed');
  const dir = await mkdtemp(join(tmpdir(), 'kpy-sign-'));
  try {
    const input = join(dir, 'module.ko');
    await writeFile(input, unsigned);
    const r = await runCommand('openssl', [
      'cms', '-sign', '-binary', '-noattr', '-nocerts', '-nosmimecap', '-outform', 'DER',
      '-md', hash, '-signer', certPath, '-inkey', keyPath, '-in', input,
    ]);
    if (r.code !== 0 || r.stdout.length === 0) throw new KpyError('SIGNING_FAILED', `openssl cms -sign failed: ${r.stderr.trim()}`);
    return Buffer.concat([unsigned, r.stdout, moduleSignatureStruct(r.stdout.length), Buffer.from(MODULE_SIG_MAGIC)]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** struct module_signature { u8 algo, hash, id_type, signer_len, key_id_len; u8 pad[3]; __be32 sig_len; } */
function moduleSignatureStruct(sigLen: number): Buffer {
  const s = Buffer.alloc(12);
  s[2] = PKEY_ID_PKCS7;
  s.writeUInt32BE(sigLen, 8);
  return s;
}

/** Split a signed module into its unsigned bytes and PKCS#7 signature, or undefined when unsigned. */
export function parseModuleSignature(ko: Buffer): { unsigned: Buffer; pkcs7: Buffer } | undefined {
  const magic = Buffer.from(MODULE_SIG_MAGIC);
  if (ko.length < magic.length + 12 || !ko.subarray(ko.length - magic.length).equals(magic)) return undefined;
  const structAt = ko.length - magic.length - 12;
  const idType = ko[structAt + 2];
  const sigLen = ko.readUInt32BE(structAt + 8);
  if (idType !== PKEY_ID_PKCS7 || sigLen === 0 || sigLen > structAt) {
    throw new KpyError('ARTIFACT_INVALID', `malformed module signature (id_type ${idType}, sig_len ${sigLen})`);
  }
  return { unsigned: ko.subarray(0, structAt - sigLen), pkcs7: ko.subarray(structAt - sigLen, structAt) };
}

/** Verify the appended signature against a certificate (PEM) with openssl cms. */
export async function verifyModuleSignature(ko: Buffer, certPath: string): Promise<boolean> {
  const parts = parseModuleSignature(ko);
  if (!parts) return false;
  const dir = await mkdtemp(join(tmpdir(), 'kpy-verify-'));
  try {
    await writeFile(join(dir, 'content'), parts.unsigned);
    await writeFile(join(dir, 'sig.der'), parts.pkcs7);
    const r = await runCommand('openssl', [
      'cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, 'sig.der'), '-content', join(dir, 'content'),
      '-certfile', certPath, '-nointern', '-noverify', '-out', '/dev/null',
    ]);
    return r.code === 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
