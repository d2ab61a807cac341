import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DebianArchiveResolver } from '../../lib/archive-resolver.js';
import { loadConfig, type Config } from '../../lib/config.js';
import { fetchBytes } from '../../lib/http-fetch.js';
import { verifyInRelease } from '../../lib/inrelease.js';
import { createLogger } from '../../lib/logger.js';

const code = (c: string) => (e: { code?: string }) => e.code === c;

describe('Debian archive resolver against the real archive (mirror from the host apt configuration)', () => {
  let config: Config;
  let cache: string;
  let resolver: DebianArchiveResolver;
  before(async () => {
    config = await loadConfig({});
    cache = await mkdtemp(join(tmpdir(), 'kpy-index-'));
    resolver = new DebianArchiveResolver(config.debian, cache, createLogger('warn'));
  });
  after(() => rm(cache, { recursive: true, force: true }));

  it('verifies InRelease with gpgv and refuses a tampered one', async () => {
    const raw = await fetchBytes(`${config.debian.mirror}/dists/bookworm/InRelease`);
    const rel = await verifyInRelease(raw, config.debian.keyring, 'bookworm');
    assert.ok(rel.files.has('main/binary-amd64/Packages.xz'));
    const text = raw.toString('latin1');
    const at = text.indexOf('main/binary-amd64/Packages.xz');
    const tampered = Buffer.from(`${text.slice(0, at - 3)}0${text.slice(at - 2)}`, 'latin1');
    await assert.rejects(verifyInRelease(tampered, config.debian.keyring, 'bookworm'), code('ARCHIVE_SIGNATURE_INVALID'));
    await assert.rejects(verifyInRelease(raw, config.debian.keyring, 'trixie'), code('ARCHIVE_SIGNATURE_INVALID'));
    await assert.rejects(verifyInRelease(raw, '/usr/share/keyrings/debian-archive-removed-keys.gpg', 'bookworm'), code('ARCHIVE_SIGNATURE_INVALID'));
  });

  it('lists releases of every configured suite and resolves one with its -common and linux-kbuild', async () => {
    const list = await resolver.listReleases();
    const releases = list.map((k) => k.release);
    assert.ok(releases.some((r) => /^6\.1\.0-\d+-amd64$/.test(r)));
    assert.ok(releases.some((r) => /-cloud-amd64$/.test(r)));
    assert.ok(!releases.includes('amd64') && !releases.some((r) => r.endsWith('-common')), 'no metapackages or -common');
    const newest = releases.filter((r) => /^6\.1\.0-\d+-amd64$/.test(r)).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))[0] as string;
    const res = await resolver.resolve({ release: newest });
    const names = res.packages.map((p) => p.name);
    assert.equal(names[0], `linux-headers-${newest}`);
    assert.ok(names.some((n) => /^linux-headers-.*-common$/.test(n)));
    assert.ok(names.some((n) => n.startsWith('linux-kbuild-')));
    for (const p of res.packages) assert.match(p.sha256, /^[0-9a-f]{64}$/);
    assert.ok(res.toolchain.some((t) => t.includes('gcc')));

    const pinned = await resolver.resolve({ release: newest, version: `#1 SMP PREEMPT_DYNAMIC Debian ${res.version} (2026-01-01)` });
    assert.equal(pinned.version, res.version);
    await assert.rejects(resolver.resolve({ release: newest, version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.1-1 (2023-01-01)' }), code('KERNEL_NOT_FOUND'));
    await assert.rejects(resolver.resolve({ release: '6.1.0-999-amd64' }), code('KERNEL_NOT_FOUND'));
  });

  // issue 9: arm64 releases, cross-built with the builders' (amd64) linux-kbuild
  it('lists arm64 releases and resolves one to its arm64 headers, the -common and the amd64 linux-kbuild', async () => {
    const list = await resolver.listReleases();
    const arm = list.filter((k) => k.arch === 'arm64').map((k) => k.release);
    assert.ok(arm.some((r) => /^6\.1\.0-\d+-arm64$/.test(r)), 'bookworm arm64');
    assert.ok(arm.some((r) => /^6\.12\.\d+\+deb13-arm64$/.test(r)), 'trixie arm64');
    assert.ok(list.filter((k) => k.arch === 'amd64').every((k) => !k.release.endsWith('arm64')));
    const newest = arm.filter((r) => /^6\.1\.0-\d+-arm64$/.test(r)).sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))[0] as string;
    const res = await resolver.resolve({ release: newest });
    assert.equal(res.arch, 'arm64');
    const arches = Object.fromEntries(res.packages.map((p) => [p.name.replace(/-[0-9].*$/, '').replace(/^linux-headers$/, p.name.endsWith('-common') ? 'common' : 'headers'), p.arch]));
    assert.deepEqual(arches, { headers: 'arm64', common: 'all', 'linux-kbuild': 'amd64' }, JSON.stringify(res.packages.map((p) => [p.name, p.arch])));
  });
});
