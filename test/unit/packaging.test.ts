import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ArtifactStore } from '../../lib/artifact-store.js';
import { readArArchive } from '../../lib/packaging/ar-archive.js';
import { AptRepository } from '../../lib/packaging/apt-repository.js';
import { modulePackage, modulesDir } from '../../lib/packaging/module-package.js';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';
import { ensureAptSigningKey } from '../../lib/signing/apt-signing-key.js';

const input = { release: '6.1.0-99-amd64', kernelVersion: '6.1.999-1', arch: 'amd64', codename: 'bookworm', module: Buffer.from('module bytes'), mtime: 1735689600 };

test('kpython-modules .deb: dpkg reads it, same input gives the same bytes, /usr/lib/modules after bookworm', async () => {
  const a = await modulePackage(input);
  const b = await modulePackage(input);
  assert.equal(sha256Hex(a.deb), sha256Hex(b.deb));
  assert.deepEqual(readArArchive(a.deb).map((m) => m.name), ['debian-binary', 'control.tar.gz', 'data.tar.gz']);
  assert.equal(a.fileName, 'kpython-modules-6.1.0-99-amd64_0.1.0+6.1.999-1_amd64.deb'.replace('0.1.0', a.version.split('+')[0] as string));
  const dir = await mkdtemp(join(tmpdir(), 'kpy-deb-'));
  try {
    await writeFile(join(dir, 'p.deb'), a.deb);
    const info = await runCommand('dpkg-deb', ['-f', join(dir, 'p.deb'), 'Package', 'Section', 'Installed-Size']);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout.toString(), /Package: kpython-modules-6\.1\.0-99-amd64\nSection: kernel\nInstalled-Size: \d+/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(modulesDir('bookworm', 'r'), 'lib/modules/r');
  assert.equal(modulesDir('trixie', 'r'), 'usr/lib/modules/r');
});

test('apt indexes: InRelease and Release.gpg verify with gpgv, Release names the Packages hashes, a swap keeps by-hash', async () => {
  const data = await mkdtemp(join(tmpdir(), 'kpy-apt-unit-'));
  try {
    const store = new ArtifactStore(data);
    const key = await ensureAptSigningKey(join(data, 'apt.asc'));
    const repo = new AptRepository(join(data, 'apt'), store, async () => key);
    const pkg = await modulePackage(input);
    const commit = (k: string, finishedAt: string) =>
      store.commit(k, new Map([[pkg.fileName, pkg.deb]]), {
        key: k, release: input.release, unsignedSha256: 'u', vermagic: 'v', startedAt: finishedAt, finishedAt, durationMs: 1,
        debian: { suite: 'bookworm-security', codename: 'bookworm', kernelVersion: input.kernelVersion, arch: 'amd64' },
        packages: [{ fileName: pkg.fileName, package: pkg.package, version: pkg.version, arch: pkg.arch, control: pkg.control }],
      });
    await commit('a'.repeat(64), '2026-01-01T00:00:00Z');
    assert.deepEqual((await repo.publish()).suites, ['bookworm']);
    await writeFile(join(data, 'kpython.gpg'), key.publicKeyring);
    const dists = join(data, 'apt', 'dists', 'bookworm');
    const gpgv = (...files: string[]) => runCommand('gpgv', ['--keyring', join(data, 'kpython.gpg'), ...files]);
    assert.equal((await gpgv(join(dists, 'InRelease'))).code, 0);
    assert.equal((await gpgv(join(dists, 'Release.gpg'), join(dists, 'Release'))).code, 0);
    const release = await readFile(join(dists, 'Release'), 'utf8');
    const packages = await readFile(join(dists, 'main', 'binary-amd64', 'Packages'));
    assert.ok(release.includes(` ${sha256Hex(packages)} `), 'Release lists the Packages hash');
    assert.match(packages.toString(), new RegExp(`^Filename: pool/main/a{64}/${pkg.fileName.replace(/[.+]/g, '\\$&')}$`, 'm'));
    await writeFile(join(data, 'forged'), (await readFile(join(dists, 'InRelease'), 'utf8')).replace('Codename: bookworm', 'Codename: bookwork'));
    assert.notEqual((await gpgv(join(data, 'forged'))).code, 0, 'a changed InRelease does not verify');

    // A newer build of the same package version replaces the entry; the old snapshot's Packages stays reachable by hash.
    const before = await readlink(dists);
    await commit('b'.repeat(64), '2026-01-02T00:00:00Z');
    await repo.publish();
    assert.notEqual(await readlink(dists), before);
    assert.match(await readFile(join(dists, 'main', 'binary-amd64', 'Packages'), 'utf8'), /pool\/main\/b{64}\//);
    assert.ok(await repo.file(['dists', 'bookworm', 'main', 'binary-amd64', 'by-hash', 'SHA256', sha256Hex(packages)]));
    assert.ok(await repo.file(['pool', 'main', 'a'.repeat(64), pkg.fileName]));
    assert.equal(await repo.file(['pool', 'main', 'a'.repeat(64), 'meta.json']), undefined);
    assert.equal(await repo.file(['dists', '..', 'keys']), undefined);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});
