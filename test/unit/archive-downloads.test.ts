import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { DebCache } from '../../lib/deb-cache.js';
import { parseRelease } from '../../lib/inrelease.js';
import { fetchPackagesIndex } from '../../lib/packages-index.js';
import { sha256Hex } from '../../lib/sha256.js';

const files = new Map<string, Buffer>();
let server: Server;
let base: string;
before(async () => {
  server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    res.writeHead(body ? 200 : 404).end(body);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const code = (c: string) => (e: { code?: string }) => e.code === c;

test('Release parsing: suite, expiry and SHA256 list', () => {
  const text = `Suite: stable\nCodename: bookworm\nValid-Until: Mon, 01 Jan 2024 00:00:00 UTC\nSHA256:\n ${'a'.repeat(64)} 12 main/binary-amd64/Packages.gz\n`;
  const r = parseRelease(text, 'bookworm', new Date('2023-06-01'));
  assert.deepEqual(r.files.get('main/binary-amd64/Packages.gz'), { sha256: 'a'.repeat(64), size: 12 });
  assert.throws(() => parseRelease(text, 'bookworm', new Date('2025-01-01')), code('ARCHIVE_SIGNATURE_INVALID'));
  assert.throws(() => parseRelease(text, 'trixie', new Date('2023-06-01')), code('ARCHIVE_SIGNATURE_INVALID'));
});

test('Packages index: checksums of compressed and plain form must match the Release', async () => {
  const plain = Buffer.from('Package: linux-kbuild-6.1\nVersion: 1\nFilename: pool/k.deb\nSize: 3\nSHA256: ' + 'b'.repeat(64) + '\n\nPackage: vim\nVersion: 1\n');
  const gz = gzipSync(plain);
  files.set('/dists/s/main/binary-amd64/Packages.gz', gz);
  const release = (gzSha: string) => ({
    suite: 's',
    digest: 'd',
    files: new Map([
      ['main/binary-amd64/Packages.gz', { sha256: gzSha, size: gz.length }],
      ['main/binary-amd64/Packages', { sha256: sha256Hex(plain), size: plain.length }],
    ]),
  });
  const opts = { mirror: base, component: 'main', arch: 'amd64', keep: (n: string) => n.startsWith('linux-') };
  const pkgs = await fetchPackagesIndex({ ...opts, release: release(sha256Hex(gz)) });
  assert.deepEqual(pkgs.map((p) => p.name), ['linux-kbuild-6.1']);
  await assert.rejects(fetchPackagesIndex({ ...opts, release: release('0'.repeat(64)) }), code('ARCHIVE_CHECKSUM_MISMATCH'));
});

test('deb cache stores only files whose sha256 and size match', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-debs-'));
  try {
    const deb = Buffer.from('!<arch>\nfake deb');
    files.set('/pool/a.deb', deb);
    const cache = new DebCache(dir);
    const pkg = { name: 'a', version: '1', arch: 'all', sha256: sha256Hex(deb), size: deb.length, suite: 's', url: `${base}/pool/a.deb` };
    const path = await cache.ensure(pkg);
    assert.equal(path, join(dir, `${pkg.sha256}.deb`));
    assert.equal(await cache.ensure(pkg), path, 'second call hits the cache');
    await assert.rejects(cache.ensure({ ...pkg, sha256: 'c'.repeat(64) }), code('ARCHIVE_CHECKSUM_MISMATCH'));
    await assert.rejects(cache.ensure({ ...pkg, sha256: 'd'.repeat(64), url: `${base}/pool/missing.deb` }), code('ARCHIVE_UNAVAILABLE'));
    assert.deepEqual(await readdir(dir), [`${pkg.sha256}.deb`], 'nothing unverified is left behind');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
