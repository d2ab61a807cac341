import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, statfs, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';
import { makeModuleElf } from '../unit/elf-fixture.js';
import { buildDirEntries, gz, makeTar } from '../unit/headers-fixture.js';
import { REPO_ROOT, waitForBuild } from '../integration/helpers/test-core.js';
import { startServedEnv, type ServedEnv } from '../integration/helpers/served-env.js';

/** Uploaded headers whose Makefile drops a tiny module: a build of a few seconds and a few KiB. */
async function tinyHeaders(release: string): Promise<Buffer> {
  const ko = makeModuleElf([`vermagic=${release} SMP preempt mod_unload modversions `, 'name=kpython']);
  const makefile = 'all modules %:\n\tcp $(CURDIR)/m.bin $(M)/kpython.ko\n';
  return gz(await makeTar([...buildDirEntries({ release, makefile }), { name: 'm.bin', body: ko }]));
}

describe('the data directory\'s filesystem full during a commit (a 16 MiB tmpfs)', () => {
  let mnt: string;
  let served: ServedEnv | undefined;
  before(async () => {
    mnt = await mkdtemp(join(tmpdir(), 'kpy-full-'));
    const r = await runCommand('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', mnt]);
    assert.equal(r.code, 0, `mount a tmpfs (needs root): ${r.stderr.toString()}`);
    await cp(join(REPO_ROOT, 'data', 'images'), join(mnt, 'images'), { recursive: true });
  });
  after(async () => {
    await served?.close();
    await runCommand('umount', [mnt]);
    await rm(mnt, { recursive: true, force: true });
  });

  it('fails the build with STORAGE_FULL, keeps earlier artifacts intact and leaves no scratch', async () => {
    served = await startServedEnv('disk-full', { worker: true, env: { KPY_DATA_DIR: mnt } });
    const { env, server } = served;
    const upload = async (release: string) => {
      const r = await fetch(`${server.url}/v1/headers`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: new Uint8Array(await tinyHeaders(release)) });
      assert.equal(r.status, 201);
      return ((await r.json()) as { id: string }).id;
    };
    const [first, second] = [await upload('6.1.0-71-amd64'), await upload('6.1.0-72-amd64')];
    const a = await env.core.service.submit({ headers: first, arch: 'amd64', force: false });
    assert.equal((await waitForBuild(env.core, a.build.id, 120_000)).state, 'succeeded');
    const metaA = await env.core.store.meta(a.build.id);
    assert.ok(metaA);

    const fs = await statfs(mnt);
    const free = fs.bavail * fs.bsize;
    await writeFile(join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - 8192)));
    const b = await env.core.service.submit({ headers: second, arch: 'amd64', force: false });
    const t0 = Date.now();
    const failed = await waitForBuild(env.core, b.build.id, 120_000);
    console.log(`# disk full: build ${failed.state} with ${failed.error?.code} ${Date.now() - t0} ms after submit; free was ${free} bytes before filling`);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.code, 'STORAGE_FULL', JSON.stringify(failed.error));
    const view = (await (await fetch(`${server.url}/v1/builds/${b.build.id}`)).json()) as { error: { code: string } };
    assert.equal(view.error.code, 'STORAGE_FULL');

    for (const art of metaA.artifacts) {
      const p = await env.core.store.path(a.build.id, art.name);
      assert.ok(p, art.name);
      assert.equal(sha256Hex(await readFile(p)), art.sha256, `${art.name} intact`);
    }
    assert.deepEqual((await readdir(join(mnt, 'builds'))).filter((n) => n.startsWith('.')), [], 'no scratch left in builds/');
    assert.deepEqual((await readdir(join(mnt, 'failures')).catch(() => [])).filter((n) => n.startsWith('.')), [], 'no scratch left in failures/');
    assert.equal((await fetch(`${server.url}/v1/kernels`)).status, 200, 'the API still answers');

    await rm(join(mnt, 'filler'));
    const again = await env.core.service.submit({ headers: second, arch: 'amd64', force: false });
    assert.equal((await waitForBuild(env.core, again.build.id, 120_000)).state, 'succeeded', 'with space back the same build succeeds');

    // Power loss before meta.json reached the disk: that build only is gone, nothing answers 500.
    await writeFile(join(mnt, 'builds', a.build.id, 'meta.json'), '');
    assert.equal((await fetch(`${server.url}/v1/kernels`)).status, 200);
    assert.equal((await fetch(`${server.url}/v1/builds/${again.build.id}/artifacts/kpython.ko`)).status, 200, 'other builds are served');
    assert.equal((await fetch(`${server.url}/v1/builds/${a.build.id}/artifacts/kpython.ko`)).status, 404, 'the cut build is not served');
    const rebuilt = await env.core.service.submit({ headers: first, arch: 'amd64', force: false });
    assert.equal((await waitForBuild(env.core, rebuilt.build.id, 120_000)).state, 'succeeded');
    assert.ok(await env.core.store.has(a.build.id), 'a new request rebuilds and replaces the cut build');
  });
});
