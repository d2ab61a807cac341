import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../../lib/run-command.js';
import { openEnvelope, type DsseEnvelope } from '../../lib/signing/dsse.js';
import { parseModuleSignature, verifyModuleSignature } from '../../lib/signing/module-signature.js';
import { ARCHIVE_BUILD_TYPE, UPLOADED_BUILD_TYPE } from '../../lib/signing/provenance.js';
import { verifyArtifacts } from '../../lib/verify-artifacts.js';
import { makeModuleElf } from '../unit/elf-fixture.js';
import { buildDirEntries, gz, makeTar } from '../unit/headers-fixture.js';
import { buildKey, type BuildPlan } from '../../lib/build-plan.js';
import { BUILD_JOB } from '../../lib/build-queue.js';
import { currentBookwormKernel, REPO_ROOT, waitForBuild, type TestEnv } from './helpers/test-core.js';
import { startServedEnv, type ServedEnv } from './helpers/served-env.js';

const RELEASE = '6.1.0-77-amd64';

/**
 * The attack: an uploaded headers tree whose Makefile — which the
 * module build runs — drops a forged 368-byte ELF with the right machine,
 * vermagic and name=kpython where the module should be. Before the trust
 * levels it got the fleet's module signature and a provenance signed with
 * the artifact key, and `kpython verify` accepted it.
 */
async function forgingHeaders(): Promise<{ tgz: Buffer; forged: Buffer }> {
  const forged = makeModuleElf([`vermagic=${RELEASE} SMP preempt mod_unload modversions `, 'name=kpython', 'license=GPL']);
  const makefile = 'all modules %:\n\tcp $(CURDIR)/forged.bin $(M)/kpython.ko\n';
  const entries = [...buildDirEntries({ release: RELEASE, makefile }), { name: 'forged.bin', body: forged }];
  return { tgz: gz(await makeTar(entries)), forged };
}

async function cli(args: string[], url: string): Promise<{ code: number; out: string }> {
  const r = await runCommand('node', [join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args, '--server', url]);
  return { code: r.code, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

describe('uploaded headers are a lower trust level than the archive (real Docker)', () => {
  let served: ServedEnv;
  let env: TestEnv;
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'kpy-trust-'));
    served = await startServedEnv('upload-trust', { worker: true });
    env = served.env;
  });
  after(async () => {
    await served?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('a forged module from a hostile headers Makefile gets no archive signature and fails `kpython verify`', async () => {
    const { tgz, forged } = await forgingHeaders();
    assert.ok(forged.length < 400, `the forged ELF is tiny (${forged.length} bytes)`);
    const up = await fetch(`${served.server.url}/v1/headers`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: new Uint8Array(tgz) });
    const { id } = (await up.json()) as { id: string };
    assert.equal(up.status, 201);
    const { build } = await env.core.service.submit({ headers: id, arch: 'amd64', force: false });
    assert.equal(build.inputs?.trust, 'uploaded', 'the trust level is an input of the build key');
    const done = await waitForBuild(env.core, build.id, 120_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));

    const file = async (name: string) => readFile((await env.core.store.path(build.id, name)) ?? assert.fail(`${name} stored`));
    const ko = await file('kpython.ko');
    assert.equal(parseModuleSignature(ko), undefined, 'no module signature on an uploaded build (no upload key configured)');
    // The forged module as the container's strip left it (same .modinfo, nothing appended).
    assert.ok(ko.equals(await file('kpython.unsigned.ko')), 'no signature appended');
    assert.ok(ko.includes(Buffer.from(`vermagic=${RELEASE} SMP`)), 'the forged module itself');
    assert.equal(await verifyModuleSignature(ko, env.core.keys.moduleCertPath), false);

    const envelope = JSON.parse((await file('provenance.json')).toString()) as DsseEnvelope;
    assert.equal(openEnvelope(envelope, env.core.keys.artifactPublicPem), undefined, 'the archive artifact key never signs an uploaded build');
    const body = openEnvelope(envelope, env.core.keys.upload.artifactPublicPem);
    assert.ok(body, 'signed with the uploads artifact key');
    const st = JSON.parse(body.toString()) as { predicate: { buildDefinition: { buildType: string } } };
    assert.equal(st.predicate.buildDefinition.buildType, UPLOADED_BUILD_TYPE);
    assert.notEqual(UPLOADED_BUILD_TYPE, ARCHIVE_BUILD_TYPE);

    const sig = await file('kpython.ko.sig');
    const asArchive = await verifyArtifacts({ module: ko, signature: sig, provenance: await file('provenance.json'), artifactPublicPem: env.core.keys.artifactPublicPem, moduleCertPem: await readFile(env.core.keys.moduleCertPath, 'utf8') });
    assert.equal(asArchive.ok, false, 'an archive-trusting verifier refuses it');

    const view = (await (await fetch(`${served.server.url}/v1/builds/${build.id}`)).json()) as { trust: string; moduleSignature: string };
    assert.equal(view.trust, 'uploaded');
    assert.equal(view.moduleSignature, 'none');

    const p = join(work, 'kpython.ko');
    await writeFile(p, ko);
    await writeFile(`${p}.sig`, sig);
    await writeFile(`${p}.provenance.json`, await file('provenance.json'));
    const refused = await cli(['verify', p], served.server.url);
    assert.equal(refused.code, 3, refused.out);
    assert.match(refused.out, /uploaded headers/);
    assert.match(refused.out, /--allow-uploaded-headers/);
    const allowed = await cli(['verify', p, '--allow-uploaded-headers'], served.server.url);
    assert.equal(allowed.code, 0, allowed.out);
    assert.match(allowed.out, /uploaded/);
    assert.match(allowed.out, /no module signature/);
  });

  it('the worker recomputes the key of a job written straight into Redis and refuses a mismatch', async () => {
    const { tgz } = await forgingHeaders();
    const up = await fetch(`${served.server.url}/v1/headers`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: new Uint8Array(tgz) });
    const { id } = (await up.json()) as { id: string };
    const uploaded = await env.core.service.plan({ headers: id, arch: 'amd64', force: false });
    const archive = await env.core.service.plan({ kernel: await currentBookwormKernel(env.core), arch: 'amd64', force: false });
    const forged: [string, BuildPlan][] = [
      // the Debian kernel's key, but the hostile upload as the source
      ['debian key, upload source', { ...archive, source: uploaded.source }],
      // inputs relabelled as archive trust, key recomputed to match them
      ['relabelled trust', (() => { const inputs = { ...uploaded.inputs, trust: 'archive' as const }; return { ...uploaded, inputs, key: buildKey(inputs) }; })()],
      // a key that is not the inputs' hash
      ['wrong key', { ...uploaded, key: 'f'.repeat(64) }],
      // Debian inputs with a package checksum the archive index does not list, key recomputed
      ['poisoned package', (() => {
        if (archive.inputs.headers.kind !== 'debian' || archive.source.kind !== 'debian') throw new Error('expected Debian');
        const packages = archive.inputs.headers.packages.map((p, i) => (i === 0 ? { ...p, sha256: '0'.repeat(64) } : p));
        const inputs = { ...archive.inputs, headers: { ...archive.inputs.headers, packages } };
        const resolution = { ...archive.source.resolution, packages: archive.source.resolution.packages.map((p, i) => (i === 0 ? { ...p, sha256: '0'.repeat(64) } : p)) };
        return { ...archive, inputs, key: buildKey(inputs), source: { kind: 'debian' as const, resolution } };
      })()],
    ];
    for (const [what, plan] of forged) {
      await env.core.records.update(plan.key, { state: 'queued', stage: 'queued', progress: 0 });
      await env.core.queue.add(BUILD_JOB, plan, { jobId: plan.key });
      const done = await waitForBuild(env.core, plan.key, 60_000);
      assert.equal(done.state, 'failed', what);
      assert.equal(done.error?.code, 'BUILD_KEY_MISMATCH', `${what}: ${JSON.stringify(done.error)}`);
      assert.equal(await env.core.store.has(plan.key), false, `${what}: nothing published`);
      assert.equal(await env.core.records.containers(plan.key), 0, `${what}: no container ran`);
    }
  });
});

describe('an operator-configured upload signing key (KPY_UPLOAD_SIGNING=generate)', () => {
  let served: ServedEnv;
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'kpy-trust-key-'));
    served = await startServedEnv('upload-key', { worker: true, env: { KPY_UPLOAD_SIGNING: 'generate' } });
  });
  after(async () => {
    await served?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('signs uploaded builds with its own certificate, served under its own name, never the archive one', async () => {
    const { env, server } = served;
    const keys = (await (await fetch(`${server.url}/v1/keys`)).json()) as { uploadModuleSigningCertificate: { pem: string } | null };
    assert.equal(keys.uploadModuleSigningCertificate?.pem, '/v1/keys/upload-module-signing.pem');
    const uploadCert = await (await fetch(`${server.url}/v1/keys/upload-module-signing.pem`)).text();
    const archiveCert = await (await fetch(`${server.url}/v1/keys/module-signing.pem`)).text();
    assert.notEqual(uploadCert, archiveCert);
    const { tgz } = await forgingHeaders();
    const up = await fetch(`${server.url}/v1/headers`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: new Uint8Array(tgz) });
    const { id } = (await up.json()) as { id: string };
    const { build } = await env.core.service.submit({ headers: id, arch: 'amd64', force: false });
    const done = await waitForBuild(env.core, build.id, 120_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const file = async (name: string) => readFile((await env.core.store.path(build.id, name)) ?? assert.fail(name));
    const ko = await file('kpython.ko');
    assert.ok(parseModuleSignature(ko), 'signed');
    assert.equal(await verifyModuleSignature(ko, env.core.keys.moduleCertPath), false, 'not with the archive key');
    assert.ok(env.core.keys.upload.module && (await verifyModuleSignature(ko, env.core.keys.upload.module.certPath)), 'with the upload key');
    const view = (await (await fetch(`${server.url}/v1/builds/${build.id}`)).json()) as { trust: string; moduleSignature: string };
    assert.deepEqual([view.trust, view.moduleSignature], ['uploaded', 'upload-signing']);
    const p = join(work, 'kpython.ko');
    await writeFile(p, ko);
    await writeFile(`${p}.sig`, await file('kpython.ko.sig'));
    await writeFile(`${p}.provenance.json`, await file('provenance.json'));
    assert.equal((await cli(['verify', p], server.url)).code, 3, 'still refused without the flag');
    const ok = await cli(['verify', p, '--allow-uploaded-headers'], server.url);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /upload module signing certificate/);
  });
});
