import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * ECDSA/sha256 signature in DER over a whole file: what
 * `openssl dgst -sha256 -verify pub.pem -signature f.sig f` and (raw DER is
 * base64-encoded by cosign itself) `cosign verify-blob --key pub.pem
 * --signature f.sig --insecure-ignore-tlog=true f` check; the integration
 * tests run both, cosign being Debian trixie's package.
 */
export function signDetached(data: Buffer, key: KeyObject): Buffer {
  return sign('sha256', data, key);
}

export function verifyDetached(data: Buffer, signature: Buffer, publicKeyPem: string): boolean {
  return verify('sha256', data, createPublicKey(publicKeyPem), signature);
}
