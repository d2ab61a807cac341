import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DebCache } from '../../lib/deb-cache.js';
import { KernelConfigProbe } from '../../lib/kernel-config-probe.js';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';

const RELEASE = '6.1.0-97-amd64';

/** A real linux-headers .deb (dpkg-deb) holding only the .config, put into a DebCache as a verified download. */
async function headersDebInCache(dir: string): Promise<{ cache: DebCache; sha256: string }> {
  const root = join(dir, 'pkg');
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'usr', 'src', `linux-headers-${RELEASE}`), { recursive: true });
  await writeFile(join(root, 'DEBIAN', 'control'), `Package: linux-headers-${RELEASE}\nVersion: 6.1.1-1\nArchitecture: amd64\nMaintainer: test <t@example.invalid>\nDescription: test\n`);
  await writeFile(
    join(root, 'usr', 'src', `linux-headers-${RELEASE}`, '.config'),
    'CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"\nCONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=120200\n',
  );
  const r = await runCommand('dpkg-deb', ['--root-owner-group', '-b', root, join(dir, 'h.deb')]);
  assert.equal(r.code, 0, r.stderr.toString());
  const deb = await readFile(join(dir, 'h.deb'));
  const sha256 = sha256Hex(deb);
  const cacheDir = join(dir, 'debs');
  await mkdir(cacheDir);
  const cache = new DebCache(cacheDir);
  await writeFile(cache.pathOf(sha256), deb);
  return { cache, sha256 };
}

test('20 concurrent first probes of one kernel all answer (no shared temporary file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-probe-'));
  try {
    const { cache, sha256 } = await headersDebInCache(dir);
    const pkg = { name: `linux-headers-${RELEASE}`, version: '6.1.1-1', arch: 'amd64', sha256, size: 0, suite: 'test', url: 'http://unused.invalid/' };
    // Separate probe objects stand for separate processes sharing the cache directory.
    const probes = Array.from({ length: 4 }, () => new KernelConfigProbe(cache, join(dir, 'kconfig')));
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (probes[i % 4] as KernelConfigProbe).facts(pkg, RELEASE)));
    assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
    for (const r of results) assert.equal(r.status === 'fulfilled' && r.value.compiler.major, 12);
    assert.deepEqual(await readdir(join(dir, 'kconfig')), [`${sha256}.json`], 'no scratch left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
