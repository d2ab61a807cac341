import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { checkModule } from '../../lib/elf-modinfo.js';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';
import { openEnvelope, type DsseEnvelope } from '../../lib/signing/dsse.js';
import { parseModuleSignature, verifyModuleSignature } from '../../lib/signing/module-signature.js';
import { LABEL_RUN } from '../../worker/container-client.js';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, REPO_ROOT, waitForBuild, type TestEnv } from './helpers/test-core.js';

/** cosign from PATH or where scripts/fetch-cosign.sh puts it. */
async function findCosign(): Promise<string> {
  const local = join(REPO_ROOT, 'data', 'cache', 'tools', 'cosign');
  if (await access(local).then(() => true, () => false)) return local;
  const which = await runCommand('sh', ['-c', 'command -v cosign']);
  if (which.code === 0) return which.stdout.toString().trim();
  throw new Error('no cosign: run `npm run setup` (scripts/fetch-cosign.sh)');
}

describe('worker builds in a locked-down container (real Redis, Docker, Debian archive)', () => {
  let env: TestEnv;
  let kernel: string;
  let src: string;

  before(async () => {
    src = await makeStandInSources('ok', `worker-${Date.now()}`);
    env = await makeTestEnv({ sourceDir: src, worker: true });
    kernel = await currentBookwormKernel(env.core);
  });
  after(async () => {
    await env?.cleanup();
    if (src) await rm(src, { recursive: true, force: true });
  });

  it('builds, checks, signs and stores a module; 20 identical requests run one container', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => env.core.service.submit({ kernel, arch: 'amd64', force: false })));
    const keys = new Set(results.map((r) => r.build.id));
    assert.equal(keys.size, 1, 'one build key');
    assert.equal(results.filter((r) => r.outcome === 'queued').length >= 1, true);
    const id = [...keys][0] as string;
    const done = await waitForBuild(env.core, id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.equal(await env.core.records.containers(id), 1, 'exactly one container for 20 requests');

    const path = async (name: string) => {
      const p = await env.core.store.path(id, name);
      assert.ok(p, `${name} stored`);
      return p;
    };
    const ko = await readFile(await path('kpython.ko'));
    const unsigned = await readFile(await path('kpython.unsigned.ko'));
    const parts = parseModuleSignature(ko);
    assert.ok(parts, 'module signature appended');
    assert.ok(parts.unsigned.equals(unsigned), 'signature covers the unsigned module');
    assert.equal(checkModule(unsigned, { release: kernel, arch: 'amd64', name: 'kpython' }).vermagic.split(' ')[0], kernel);
    assert.ok(await verifyModuleSignature(ko, env.core.keys.moduleCertPath), 'PKCS#7 verifies with the certificate');

    const dir = await mkdtemp(join(tmpdir(), 'kpy-verify-'));
    try {
      await writeFile(join(dir, 'pub.pem'), env.core.keys.artifactPublicPem);
      const r = await runCommand('openssl', ['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), '-signature', await path('kpython.ko.sig'), await path('kpython.ko')]);
      assert.equal(r.code, 0, `openssl dgst -verify: ${r.stdout.toString()} ${r.stderr}`);
      // The real cosign (Debian trixie's package, fetched by `npm run setup`): key-based, no transparency log.
      const cosign = await findCosign();
      const c = await runCommand(cosign, ['verify-blob', '--key', join(dir, 'pub.pem'), '--signature', await path('kpython.ko.sig'), '--insecure-ignore-tlog=true', await path('kpython.ko')]);
      assert.equal(c.code, 0, `cosign verify-blob: ${c.stderr}`);
      assert.match(c.stderr, /Verified OK/);
      await writeFile(join(dir, 'other.ko'), Buffer.concat([ko, Buffer.from('x')]));
      const bad = await runCommand(cosign, ['verify-blob', '--key', join(dir, 'pub.pem'), '--signature', await path('kpython.ko.sig'), '--insecure-ignore-tlog=true', join(dir, 'other.ko')]);
      assert.notEqual(bad.code, 0, 'cosign refuses other bytes');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const envelope = JSON.parse(await readFile(await path('provenance.json'), 'utf8')) as DsseEnvelope;
    const payload = openEnvelope(envelope, env.core.keys.artifactPublicPem);
    assert.ok(payload, 'DSSE signature verifies');
    const statement = JSON.parse(payload.toString()) as { subject: { digest: { sha256: string } }[]; predicate: { buildDefinition: { resolvedDependencies: unknown[] } } };
    assert.equal(statement.subject[0]?.digest.sha256, sha256Hex(ko));
    assert.ok(statement.predicate.buildDefinition.resolvedDependencies.length >= 6);
    const log = await readFile(await path('build.log'), 'utf8');
    assert.match(log, /LD \[M\]/);

    const again = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
    assert.equal(again.outcome, 'cached');
    assert.equal(await env.core.records.containers(id), 1, 'a cache hit starts no container');

    const forced = await env.core.service.submit({ kernel, arch: 'amd64', force: true });
    assert.equal(forced.outcome, 'queued');
    const rebuilt = await waitForBuild(env.core, id);
    assert.equal(rebuilt.state, 'succeeded', JSON.stringify(rebuilt.error));
    assert.equal(await env.core.records.containers(id), 2);
    assert.ok((await readFile(await path('kpython.unsigned.ko'))).equals(unsigned), 'forced rebuild is byte-identical');

    const left = await new Docker({ socketPath: env.config.dockerSocket }).listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${env.runLabel}`] } });
    assert.equal(left.length, 0, 'containers are removed');
  });
});

describe('build failures keep their log and code', () => {
  it('COMPILE_ERROR for code that does not compile', async () => {
    const src = await makeStandInSources('compile-error', `ce-${Date.now()}`);
    const env = await makeTestEnv({ sourceDir: src, worker: true });
    try {
      const kernel = await currentBookwormKernel(env.core);
      const { build } = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
      const done = await waitForBuild(env.core, build.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'COMPILE_ERROR');
      assert.match(done.error?.message ?? '', /this_is_not_defined/);
      const log = await readFile((await env.core.store.path(build.id, 'build.log')) ?? '', 'utf8');
      assert.match(log, /error: .*this_is_not_defined/);
    } finally {
      await env.cleanup();
      await rm(src, { recursive: true, force: true });
    }
  });

  it('BUILD_TIMEOUT when the build outlives its limit, and the container is gone', async () => {
    const src = await makeStandInSources('hang', `to-${Date.now()}`);
    const env = await makeTestEnv({ sourceDir: src, worker: true, env: { KPY_BUILD_TIMEOUT_SEC: '4' } });
    try {
      const kernel = await currentBookwormKernel(env.core);
      const t0 = Date.now();
      const { build } = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
      const done = await waitForBuild(env.core, build.id, 60_000);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'BUILD_TIMEOUT');
      assert.ok(Date.now() - t0 < 40_000, 'killed promptly');
      const log = await readFile((await env.core.store.path(build.id, 'build.log')) ?? '', 'utf8');
      assert.match(log, /hanging/);
      const left = await new Docker({ socketPath: env.config.dockerSocket }).listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${env.runLabel}`] } });
      assert.equal(left.length, 0);
    } finally {
      await env.cleanup();
      await rm(src, { recursive: true, force: true });
    }
  });
});
