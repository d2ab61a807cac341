import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** DSSE pre-authentication encoding: "DSSEv1 <len> <type> <len> <body>". */
export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

export function signEnvelope(payloadType: string, body: Buffer, key: KeyObject, keyid: string): DsseEnvelope {
  const sig = sign('sha256', pae(payloadType, body), key);
  return { payloadType, payload: body.toString('base64'), signatures: [{ keyid, sig: sig.toString('base64') }] };
}

/** The payload if any signature verifies with the key, else undefined. */
export function openEnvelope(env: DsseEnvelope, publicKeyPem: string): Buffer | undefined {
  const body = Buffer.from(env.payload, 'base64');
  const key = createPublicKey(publicKeyPem);
  const msg = pae(env.payloadType, body);
  return env.signatures.some((s) => verify('sha256', msg, key, Buffer.from(s.sig, 'base64'))) ? body : undefined;
}
