import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeadersStore } from '../../lib/headers/headers-store.js';
import { ingestHeaders } from '../../lib/headers/ingest.js';
import { sha256Hex } from '../../lib/sha256.js';
import { buildDirEntries, gz, makeDeb, makeTar, type FixtureEntry } from './headers-fixture.js';

const limits = { maxExpandedBytes: 64 * 1024 * 1024, maxRatio: 100, maxFiles: 1000 };

describe('headers upload validation (untrusted input, no services)', () => {
  let root: string;
  let store: HeadersStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kpy-hdr-'));
    store = new HeadersStore(join(root, 'store'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  const ingest = async (body: Buffer, lim = limits) => {
    const scratch = await store.scratch();
    try {
      const file = join(scratch, 'body');
      await writeFile(file, body);
      return await ingestHeaders({ files: [{ path: file, bytes: body.length }], sha256: sha256Hex(body), bytes: body.length }, { store, scratch, limits: lim });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
  const refused = async (entries: FixtureEntry[] | Buffer, code: string, lim = limits) => {
    const before = await store.ids();
    const body = Buffer.isBuffer(entries) ? entries : await makeTar(entries);
    await assert.rejects(ingest(body, lim), (e: { code?: string; message: string }) => {
      assert.equal(e.code, code, e.message);
      return true;
    });
    assert.deepEqual(await store.ids(), before, 'nothing stored');
  };
  const base = buildDirEntries();

  it('accepts a build directory, detects release, arch and compiler, and addresses it by content', async () => {
    const t = await makeTar(base);
    const a = await ingest(t);
    assert.equal(a.created, true);
    assert.equal(a.headers.release, '6.1.0-99-amd64');
    assert.equal(a.headers.arch, 'amd64');
    assert.equal(a.headers.layout, 'build-dir');
    assert.equal(a.headers.kdir, '/usr/src/linux-headers-6.1.0-99-amd64');
    assert.deepEqual(a.headers.roots, ['/usr/src']);
    assert.equal(a.headers.compiler.text, 'gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0');
    assert.equal(a.headers.compiler.major, 12);
    const b = await ingest(gz(await makeTar([...base].reverse().map((e) => ({ ...e, mtime: new Date(0), uid: 1000 })))));
    assert.equal(b.headers.id, a.headers.id, 'same tree as tar.gz, other order and owners: same id');
    assert.equal(b.created, false);
    assert.equal(b.headers.upload.format, 'tar');
    assert.deepEqual(await store.ids(), [a.headers.id]);
  });

  it('refuses unsafe paths and links, each with its own code', async () => {
    await refused([...base, { name: '../evil', body: 'x' }], 'HEADERS_PATH_UNSAFE');
    await refused([...base, { name: 'include/../../evil', body: 'x' }], 'HEADERS_PATH_UNSAFE');
    await refused([...base, { name: '/etc/cron.d/evil', body: 'x' }], 'HEADERS_PATH_UNSAFE');
    await refused([...base, { name: 'abs', type: 'symlink', linkname: '/etc/shadow' }], 'HEADERS_SYMLINK_UNSAFE');
    await refused([...base, { name: 'include/up', type: 'symlink', linkname: '../../..' }], 'HEADERS_SYMLINK_UNSAFE');
    // Lexically inside, physically outside: d/u -> .. is the root, so d/u/../.. leaves it.
    await refused([...base, { name: 'd/', type: 'directory' }, { name: 'd/u', type: 'symlink', linkname: '..' }, { name: 't', type: 'symlink', linkname: 'd/u/../..' }], 'HEADERS_SYMLINK_UNSAFE');
    await refused([...base, { name: 'lnk', type: 'symlink', linkname: 'include' }, { name: 'lnk/x', body: 'x' }], 'HEADERS_PATH_UNSAFE');
    await refused([...base, { name: 'lnk2/x', body: 'x' }, { name: 'lnk2', type: 'symlink', linkname: 'include' }], 'HEADERS_PATH_UNSAFE');
    await refused([...base, { name: 'hl', type: 'link', linkname: '../outside' }], 'HEADERS_HARDLINK_UNSAFE');
    await refused([...base, { name: 'hl', type: 'link', linkname: '/etc/shadow' }], 'HEADERS_HARDLINK_UNSAFE');
    await refused([...base, { name: 'hl', type: 'link', linkname: 'not/there' }], 'HEADERS_HARDLINK_UNSAFE');
    await refused([...base, { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }], 'HEADERS_DEVICE_FILE');
    await refused([...base, { name: 'sda', type: 'block-device', devmajor: 8, devminor: 0 }], 'HEADERS_DEVICE_FILE');
    await refused([...base, { name: 'pipe', type: 'fifo' }], 'HEADERS_FIFO');
    await refused([...base, { name: '.config', body: 'again' }], 'HEADERS_ARCHIVE_INVALID');
  });

  it('keeps in-tree links: relative symlinks and hard links to earlier files', async () => {
    const r = await ingest(await makeTar([...base, { name: 'include/cfg', type: 'symlink', linkname: '../.config' }, { name: 'copy', type: 'link', linkname: 'Makefile' }]));
    assert.equal(r.created, true);
    assert.equal(r.headers.files, 7, '6 files and the hard link, stored as a file');
  });

  it('refuses decompression bombs by size and by ratio, and too many entries', async () => {
    const zeros = Buffer.alloc(80 * 1024 * 1024);
    const bomb = gz(await makeTar([...base, { name: 'zeros', body: zeros }]));
    assert.ok(bomb.length < 200 * 1024);
    await refused(bomb, 'HEADERS_DECOMPRESSION_BOMB');
    await refused(bomb, 'HEADERS_DECOMPRESSION_BOMB', { ...limits, maxExpandedBytes: 1 << 30 });
    await refused(await makeTar([...base, ...Array.from({ length: 1000 }, (_, i) => ({ name: `f${i}`, body: '' }))]), 'HEADERS_TOO_MANY_FILES');
  });

  it('refuses what cannot be built: no .config, no Module.symvers, no release, split Debian headers, not an archive', async () => {
    const without = (name: string) => base.filter((e) => e.name !== name);
    await refused(without('.config'), 'HEADERS_NO_CONFIG');
    await refused(without('Module.symvers'), 'HEADERS_NO_SYMVERS');
    await refused(without('include/config/kernel.release').filter((e) => e.name !== 'include/generated/utsrelease.h'), 'HEADERS_NO_RELEASE');
    await refused(buildDirEntries({ release: '6.1.0-99-amd64/../x' }), 'HEADERS_NO_RELEASE');
    await refused(buildDirEntries({ makefile: 'include /usr/src/linux-headers-6.1.0-99-common/Makefile\n' }), 'HEADERS_INCOMPLETE');
    await refused(without('scripts/').filter((e) => !e.name?.startsWith('scripts/')), 'HEADERS_INCOMPLETE');
    await refused(Buffer.from('this is no archive'.repeat(40)), 'HEADERS_ARCHIVE_INVALID');
    await refused(gz(Buffer.from('not a tar inside'.repeat(64))), 'HEADERS_ARCHIVE_INVALID');
    const t = await makeTar(base);
    await refused(t.subarray(0, 700), 'HEADERS_ARCHIVE_INVALID');
  });

  it('accepts a tree rooted at / (Debian split headers) and refuses anything outside the header areas', async () => {
    const rel = '6.1.0-98-amd64';
    const flavour = `usr/src/linux-headers-${rel}/`;
    const entries: FixtureEntry[] = [
      ...buildDirEntries({ release: rel, prefix: flavour, makefile: 'include /usr/src/linux-headers-6.1.0-98-common/Makefile\n' }).filter((e) => !e.name?.startsWith(`${flavour}scripts`)),
      { name: `${flavour}scripts`, type: 'symlink', linkname: '../../lib/linux-kbuild-6.1/scripts' },
      { name: 'usr/src/linux-headers-6.1.0-98-common/Makefile', body: 'all:\n' },
      { name: 'usr/lib/linux-kbuild-6.1/scripts/basic/fixdep', body: '#!/bin/sh\n', mode: 0o755 },
    ];
    const r = await ingest(await makeTar(entries));
    assert.equal(r.headers.layout, 'rooted');
    assert.equal(r.headers.kdir, `/usr/src/linux-headers-${rel}`);
    assert.deepEqual(r.headers.roots, ['/usr/src', '/usr/lib/linux-kbuild-6.1']);
    await refused([...entries.map((e) => ({ ...e, name: e.name?.replace('98', '97') })), { name: 'etc/passwd', body: 'x' }], 'HEADERS_LAYOUT_INVALID');
    await refused([...entries.map((e) => ({ ...e, name: e.name?.replace('98', '96') })), { name: 'usr/src/esc', type: 'symlink', linkname: '../../etc' }], 'HEADERS_SYMLINK_UNSAFE');
    await refused([...entries.map((e) => ({ ...e, name: e.name?.replace('98', '95') })), { name: 'usr/lib/linux-kbuild-6.1:x,size=1/y', body: 'x' }], 'HEADERS_LAYOUT_INVALID');
  });

  it('reads linux-headers .deb files: only usr/src and usr/lib/linux-kbuild-*, every entry checked', async () => {
    const ingestDebs = async (debs: Buffer[]) => {
      const scratch = await store.scratch();
      try {
        const files = [];
        for (const [i, d] of debs.entries()) {
          const path = join(scratch, `part-${i}`);
          await writeFile(path, d);
          files.push({ path, bytes: d.length });
        }
        return await ingestHeaders({ files, sha256: sha256Hex(Buffer.concat(debs)), bytes: files.reduce((a, f) => a + f.bytes, 0) }, { store, scratch, limits });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    };
    const rel = '6.1.0-95-amd64';
    const flavour = buildDirEntries({ release: rel, prefix: `./usr/src/linux-headers-${rel}/` }).filter((e) => !e.name?.includes('/scripts'));
    const headersDeb = makeDeb(await makeTar([
      { name: './', type: 'directory' },
      ...flavour,
      { name: `./usr/src/linux-headers-${rel}/scripts`, type: 'symlink', linkname: '../../lib/linux-kbuild-6.1/scripts' },
      { name: `./lib/modules/${rel}/build`, type: 'symlink', linkname: `/usr/src/linux-headers-${rel}` },
      { name: './usr/share/doc/x/copyright', body: 'GPL' },
    ]));
    const kbuildDeb = makeDeb(await makeTar([{ name: './usr/lib/linux-kbuild-6.1/scripts/basic/fixdep', body: '#!/bin/sh\n', mode: 0o755 }]));
    const r = await ingestDebs([headersDeb, kbuildDeb]);
    assert.equal(r.headers.layout, 'debs');
    assert.equal(r.headers.release, rel);
    assert.equal(r.headers.upload.format, 'deb');
    assert.deepEqual(r.headers.roots, ['/usr/src', '/usr/lib/linux-kbuild-6.1']);
    const before = await store.ids();
    const evil = makeDeb(await makeTar([{ name: './usr/share/dev/null', type: 'character-device', devmajor: 1, devminor: 3 }]));
    await assert.rejects(ingestDebs([headersDeb, kbuildDeb, evil]), (e: { code?: string }) => e.code === 'HEADERS_DEVICE_FILE');
    const bomb = makeDeb(await makeTar([{ name: './usr/src/zeros', body: Buffer.alloc(70 * 1024 * 1024) }]));
    await assert.rejects(ingestDebs([bomb]), (e: { code?: string }) => e.code === 'HEADERS_DECOMPRESSION_BOMB');
    const broken = headersDeb.subarray(0, headersDeb.length - 100);
    await assert.rejects(ingestDebs([broken]), (e: { code?: string }) => e.code === 'HEADERS_ARCHIVE_INVALID');
    assert.deepEqual(await store.ids(), before);
  });

  it('leaves no scratch files behind', async () => {
    assert.deepEqual(await readdir(join(root, 'store', '.tmp')), []);
  });
});

