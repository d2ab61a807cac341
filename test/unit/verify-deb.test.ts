import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';
import { signDetached } from '../../lib/signing/detached-signature.js';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from '../../lib/signing/dsse.js';
import { ARCHIVE_BUILD_TYPE, UPLOADED_BUILD_TYPE } from '../../lib/signing/provenance.js';
import { ensureSigningKeys, type SigningKeys } from '../../lib/signing/signing-keys.js';
import { looksLikeDeb, verifyDeb } from '../../lib/verify-deb.js';

let dir: string;
let keys: SigningKeys;
let deb: Buffer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kpy-vdeb-'));
  keys = await ensureSigningKeys(dir, {});
  // A real package, made by dpkg-deb like the service's.
  const root = join(dir, 'pkg');
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'lib/modules/6.1.0-57-amd64/updates/kpython'), { recursive: true });
  await writeFile(join(root, 'lib/modules/6.1.0-57-amd64/updates/kpython/kpython.ko'), 'not really a module');
  await writeFile(join(root, 'DEBIAN/control'), 'Package: kpython-modules-6.1.0-57-amd64\nVersion: 0.1.0\nArchitecture: amd64\nMaintainer: kpython <kpython@localhost>\nDescription: test\n');
  const r = await runCommand('dpkg-deb', ['--root-owner-group', '-Zxz', '-b', root, join(dir, 'k.deb')]);
  assert.equal(r.code, 0, r.stderr);
  deb = await readFile(join(dir, 'k.deb'));
});
after(() => rm(dir, { recursive: true, force: true }));

const envelope = (data: Buffer, buildType: string, key = keys.artifactKey, id = keys.artifactKeyId) => {
  const statement = { predicateType: 'https://slsa.dev/provenance/v1', subject: [{ name: 'kpython.ko', digest: { sha256: 'e'.repeat(64) } }, { name: 'k.deb', digest: { sha256: sha256Hex(data) } }], predicate: { buildDefinition: { buildType } } };
  return Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), key, id)));
};

test('a .deb verifies by its detached signature and its digest in the provenance', () => {
  assert.ok(looksLikeDeb(deb));
  assert.equal(looksLikeDeb(Buffer.from('\x7fELF')), false);
  const good = verifyDeb({ deb, signature: signDetached(deb, keys.artifactKey), provenance: envelope(deb, ARCHIVE_BUILD_TYPE), artifactPublicPem: keys.artifactPublicPem });
  assert.ok(good.ok, JSON.stringify(good.checks));
  assert.equal(good.trust, 'archive');
  assert.deepEqual(good.checks.map((c) => c.name), ['debian package', 'provenance', 'trust level', 'detached signature']);
});

test('a tampered .deb, a wrong key, a missing signature, an unlisted digest, an uploaded build: each refused by name', () => {
  const sig = signDetached(deb, keys.artifactKey);
  const prov = envelope(deb, ARCHIVE_BUILD_TYPE);
  const failed = (r: ReturnType<typeof verifyDeb>) => r.checks.filter((c) => !c.ok).map((c) => c.name);
  const tampered = Buffer.from(deb);
  tampered[tampered.length - 10] = (tampered[tampered.length - 10] ?? 0) ^ 1;
  assert.deepEqual(failed(verifyDeb({ deb: tampered, signature: sig, provenance: prov, artifactPublicPem: keys.artifactPublicPem })), ['provenance', 'detached signature']);
  assert.deepEqual(failed(verifyDeb({ deb, signature: signDetached(deb, keys.upload.artifactKey), provenance: prov, artifactPublicPem: keys.artifactPublicPem })), ['detached signature']);
  assert.deepEqual(failed(verifyDeb({ deb, provenance: prov, artifactPublicPem: keys.artifactPublicPem })), ['detached signature']);
  assert.deepEqual(failed(verifyDeb({ deb, signature: sig, provenance: envelope(Buffer.from('other'), ARCHIVE_BUILD_TYPE), artifactPublicPem: keys.artifactPublicPem })), ['provenance']);
  const uploaded = { deb, signature: signDetached(deb, keys.upload.artifactKey), provenance: envelope(deb, UPLOADED_BUILD_TYPE, keys.upload.artifactKey, keys.upload.artifactKeyId), artifactPublicPem: keys.artifactPublicPem, upload: { artifactPublicPem: keys.upload.artifactPublicPem } };
  assert.deepEqual(failed(verifyDeb(uploaded)), ['trust level']);
  assert.ok(verifyDeb({ ...uploaded, allowUploaded: true }).ok);
});
