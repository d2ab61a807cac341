import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sha256Hex } from '../../lib/sha256.js';
import { signDetached, verifyDetached } from '../../lib/signing/detached-signature.js';
import { IN_TOTO_PAYLOAD_TYPE, openEnvelope, pae, signEnvelope } from '../../lib/signing/dsse.js';
import { MODULE_SIG_MAGIC, parseModuleSignature, signModule, verifyModuleSignature } from '../../lib/signing/module-signature.js';
import { ARCHIVE_BUILD_TYPE, UPLOADED_BUILD_TYPE } from '../../lib/signing/provenance.js';
import { ensureSigningKeys, type SigningKeys } from '../../lib/signing/signing-keys.js';
import { verifyArtifacts } from '../../lib/verify-artifacts.js';
import { makeModuleElf } from './elf-fixture.js';

let dir: string;
let keys: SigningKeys;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kpy-keys-'));
  keys = await ensureSigningKeys(dir, {});
});
after(() => rm(dir, { recursive: true, force: true }));

test('keys are generated once, private keys 0600', async () => {
  assert.equal((await stat(keys.moduleKeyPath)).mode & 0o777, 0o600);
  assert.equal((await stat(join(dir, 'keys', 'artifact-signing.key'))).mode & 0o777, 0o600);
  const again = await ensureSigningKeys(dir, {});
  assert.equal(again.artifactKeyId, keys.artifactKeyId);
  assert.ok(again.moduleCertDer.equals(keys.moduleCertDer));
});

test('module signature in the kernel format', async () => {
  const unsigned = makeModuleElf(['name=kpython', 'vermagic=6.1.0-56-amd64 SMP ']);
  const signed = await signModule(unsigned, keys.moduleKeyPath, keys.moduleCertPath);
  assert.ok(signed.subarray(signed.length - MODULE_SIG_MAGIC.length).toString() === MODULE_SIG_MAGIC);
  const parts = parseModuleSignature(signed);
  assert.ok(parts);
  assert.ok(parts.unsigned.equals(unsigned));
  const struct = signed.subarray(signed.length - MODULE_SIG_MAGIC.length - 12, signed.length - MODULE_SIG_MAGIC.length);
  assert.deepEqual([...struct.subarray(0, 8)], [0, 0, 2, 0, 0, 0, 0, 0], 'algo, hash, id_type=PKCS7, signer_len, key_id_len, pad');
  assert.equal(struct.readUInt32BE(8), parts.pkcs7.length);
  assert.ok(await verifyModuleSignature(signed, keys.moduleCertPath));
  const tampered = Buffer.from(signed);
  tampered[100] = (tampered[100] ?? 0) ^ 1;
  assert.equal(await verifyModuleSignature(tampered, keys.moduleCertPath), false);
  assert.equal(parseModuleSignature(unsigned), undefined);
  await assert.rejects(signModule(signed, keys.moduleKeyPath, keys.moduleCertPath), /already signed/);
});

test('detached signature and DSSE envelope', () => {
  const data = Buffer.from('module bytes');
  const sig = signDetached(data, keys.artifactKey);
  assert.ok(verifyDetached(data, sig, keys.artifactPublicPem));
  assert.ok(!verifyDetached(Buffer.from('other bytes'), sig, keys.artifactPublicPem));
  assert.equal(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  const env = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from('{"a":1}'), keys.artifactKey, keys.artifactKeyId);
  assert.equal(openEnvelope(env, keys.artifactPublicPem)?.toString(), '{"a":1}');
  assert.equal(openEnvelope({ ...env, payload: Buffer.from('{"a":2}').toString('base64') }, keys.artifactPublicPem), undefined);
  assert.equal(openEnvelope({ ...env, payloadType: 'text/plain' }, keys.artifactPublicPem), undefined);
});

test('verifyArtifacts accepts a consistent set and names what is wrong otherwise', async () => {
  const unsigned = makeModuleElf(['name=kpython', 'vermagic=6.1.0-56-amd64 SMP ']);
  const module = await signModule(unsigned, keys.moduleKeyPath, keys.moduleCertPath);
  const statement = { predicateType: 'https://slsa.dev/provenance/v1', subject: [{ name: 'kpython.ko', digest: { sha256: sha256Hex(module) } }], predicate: { buildDefinition: { buildType: ARCHIVE_BUILD_TYPE } } };
  const provenance = Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), keys.artifactKey, keys.artifactKeyId)));
  const signature = signDetached(module, keys.artifactKey);
  const pem = (await import('node:fs/promises')).readFile(keys.moduleCertPath, 'utf8');
  const good = await verifyArtifacts({ module, signature, provenance, artifactPublicPem: keys.artifactPublicPem, moduleCertPem: await pem });
  assert.ok(good.ok, JSON.stringify(good.checks));
  const bad = await verifyArtifacts({ module: unsigned, signature, provenance, artifactPublicPem: keys.artifactPublicPem });
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.checks.filter((c) => !c.ok).map((c) => c.name).sort(), ['detached signature', 'module signature', 'provenance']);
});

test('trust levels: an uploaded build is refused unless allowed, never passes as an archive build', async () => {
  const unsigned = makeModuleElf(['name=kpython', 'vermagic=6.1.0-56-amd64 SMP ']);
  const certPem = await readFile(keys.moduleCertPath, 'utf8');
  const statement = (m: Buffer, buildType: string) => ({ predicateType: 'https://slsa.dev/provenance/v1', subject: [{ name: 'kpython.ko', digest: { sha256: sha256Hex(m) } }], predicate: { buildDefinition: { buildType } } });
  const envelope = (m: Buffer, buildType: string, key = keys.upload.artifactKey, id = keys.upload.artifactKeyId) =>
    Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement(m, buildType))), key, id)));
  const all = { artifactPublicPem: keys.artifactPublicPem, moduleCertPem: certPem, upload: { artifactPublicPem: keys.upload.artifactPublicPem } };
  const uploaded = { module: unsigned, signature: signDetached(unsigned, keys.upload.artifactKey), provenance: envelope(unsigned, UPLOADED_BUILD_TYPE), ...all };

  const refused = await verifyArtifacts(uploaded);
  assert.equal(refused.ok, false);
  assert.equal(refused.trust, 'uploaded');
  const why = refused.checks.find((c) => c.name === 'trust level');
  assert.ok(why && !why.ok && /uploaded headers/.test(why.detail) && /--allow-uploaded-headers/.test(why.detail), JSON.stringify(refused.checks));
  const allowed = await verifyArtifacts({ ...uploaded, allowUploaded: true });
  assert.ok(allowed.ok, JSON.stringify(allowed.checks));

  // Without the uploads key nothing about it verifies, even when allowed.
  assert.equal((await verifyArtifacts({ ...uploaded, upload: {}, allowUploaded: true })).ok, false);
  // The uploads key's envelope claiming the archive build type is refused.
  assert.equal((await verifyArtifacts({ ...uploaded, provenance: envelope(unsigned, ARCHIVE_BUILD_TYPE), allowUploaded: true })).ok, false);
  // The archive key's envelope claiming an uploaded build is refused too.
  assert.equal((await verifyArtifacts({ ...uploaded, provenance: envelope(unsigned, UPLOADED_BUILD_TYPE, keys.artifactKey, keys.artifactKeyId), allowUploaded: true })).ok, false);
  // An uploaded build carrying the archive module signature is refused.
  const archiveSigned = await signModule(unsigned, keys.moduleKeyPath, keys.moduleCertPath);
  const mixed = await verifyArtifacts({ ...uploaded, module: archiveSigned, signature: signDetached(archiveSigned, keys.upload.artifactKey), provenance: envelope(archiveSigned, UPLOADED_BUILD_TYPE), allowUploaded: true });
  assert.equal(mixed.ok, false);
  assert.match(mixed.checks.find((c) => c.name === 'module signature')?.detail ?? '', /archive module-signing key/);
});

test('an upload signing key is generated only when asked for, with its own certificate', async () => {
  assert.equal(keys.upload.module, undefined, 'no upload module key by default');
  assert.notEqual(keys.upload.artifactKeyId, keys.artifactKeyId);
  const withKey = await ensureSigningKeys(dir, { upload: { generate: true } });
  assert.ok(withKey.upload.module);
  assert.ok(!withKey.upload.module.certDer.equals(withKey.moduleCertDer));
  await assert.rejects(ensureSigningKeys(dir, { upload: { moduleKey: keys.moduleKeyPath, moduleCert: keys.moduleCertPath } }), /uploads need their own key/);
});
