import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { snapshotSources } from '../../lib/source-tree.js';
import { packInputs, sourcesTar } from '../../worker/input-tar.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function fixture(): Promise<{ root: string; deb: string }> {
  const root = await mkdtemp(join(tmpdir(), 'kpy-input-tar-'));
  await mkdir(join(root, 'kernel_mod/sub'), { recursive: true });
  await mkdir(join(root, 'tools'));
  await writeFile(join(root, 'Makefile'), 'all:\n');
  await writeFile(join(root, 'kernel_mod/sub/a.c'), 'int a;\n');
  await writeFile(join(root, 'tools/run.sh'), '#!/bin/sh\n');
  await chmod(join(root, 'tools/run.sh'), 0o755);
  await symlink('sub/a.c', join(root, 'kernel_mod/link.c'));
  for (const d of ['py', 'ports/embed', 'ports/unix', 'tests', 'docs']) {
    await mkdir(join(root, 'micropython/mp-1', d), { recursive: true });
    await writeFile(join(root, 'micropython/mp-1', d, 'f.c'), `${d}\n`);
  }
  const deb = join(root, 'x.deb');
  // Not a multiple of 512: the entry after it must still start on a block.
  await writeFile(deb, Buffer.alloc(1000, 7));
  return { root, deb };
}

/** What GNU tar makes of an archive: its verbose listing and one file's bytes. */
function gnuTar(archive: Buffer, dir: string): { list: string[]; file: (p: string) => Promise<Buffer> } {
  const list = execFileSync('tar', ['-tvf', '-'], { input: archive }).toString().trim().split('\n');
  execFileSync('tar', ['-xf', '-', '-C', dir], { input: archive });
  return { list, file: (p) => readFile(join(dir, p)) };
}

test('the inputs and the cached sources join into one archive GNU tar reads whole', async () => {
  const { root, deb } = await fixture();
  try {
    const snap = await snapshotSources(root);
    const mtime = new Date(1735689600 * 1000);
    const archive = await bytesOf(packInputs({ sources: snap, debs: [{ name: 'h.deb', path: deb }], builderScript: Buffer.from('echo hi\n'), mtime }));
    const out = await mkdtemp(join(tmpdir(), 'kpy-input-x-'));
    const t = gnuTar(archive, out);
    const names = t.list.map((l) => l.split(/\s+/).slice(5).join(' '));
    for (const want of ['in/', 'in/debs/', 'kpy/', 'out/', 'kpy/build.sh', 'in/debs/h.deb', 'src/', 'src/Makefile', 'src/kernel_mod/sub/a.c', 'src/kernel_mod/link.c -> sub/a.c', 'src/tools/run.sh']) {
      assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
    }
    assert.ok(t.list.find((l) => l.endsWith('src/tools/run.sh'))?.startsWith('-rwxr-xr-x'));
    // The pinned tree without the parts no build reads, but still in the snapshot (the build key).
    const mp = names.filter((n) => n.startsWith('src/micropython/') && n.endsWith('.c'));
    assert.deepEqual(mp.sort(), ['src/micropython/mp-1/ports/embed/f.c', 'src/micropython/mp-1/py/f.c']);
    assert.ok(snap.files.some((f) => f.path === 'micropython/mp-1/tests/f.c'));
    assert.ok(t.list.every((l) => l.includes('2025-01-01')), 'every entry has the fixed mtime');
    assert.deepEqual(await t.file('in/debs/h.deb'), Buffer.alloc(1000, 7));
    assert.equal((await t.file('src/kernel_mod/sub/a.c')).toString(), 'int a;\n');
    assert.equal((await t.file('kpy/build.sh')).toString(), 'echo hi\n');
    // One end: the archive is the inputs, the sources, then two zero blocks.
    assert.equal(archive.length % 512, 0);
    assert.ok(archive.subarray(-1024).every((b) => b === 0));
    assert.ok(archive.subarray(-1536, -1024).some((b) => b !== 0), 'no end of archive before the last entry');
    await rm(out, { recursive: true, force: true });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('sources are packed once, with the snapshot\'s bytes, whatever the checkout does later', async () => {
  const { root } = await fixture();
  try {
    const snap = await snapshotSources(root);
    const mtime = new Date(0);
    const first = await sourcesTar(snap, mtime);
    assert.equal(await sourcesTar(snap, mtime), first, 'the same buffer, not packed again');
    await writeFile(join(root, 'kernel_mod/sub/a.c'), 'int changed;\n');
    const out = await mkdtemp(join(tmpdir(), 'kpy-input-x-'));
    const t = gnuTar(await bytesOf(packInputs({ sources: snap, debs: [], builderScript: Buffer.from(''), mtime })), out);
    assert.equal((await t.file('src/kernel_mod/sub/a.c')).toString(), 'int a;\n');
    await rm(out, { recursive: true, force: true });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a file changed before packing fails the build with SOURCES_CHANGED, and the failure is not kept', async () => {
  const { root } = await fixture();
  try {
    const snap = await snapshotSources(root);
    await writeFile(join(root, 'kernel_mod/sub/a.c'), 'int changed;\n');
    const mtime = new Date(0);
    const stream = packInputs({ sources: snap, debs: [], builderScript: Buffer.from(''), mtime });
    await assert.rejects(bytesOf(stream), (err: Error & { code?: string }) => err.code === 'SOURCES_CHANGED');
    await writeFile(join(root, 'kernel_mod/sub/a.c'), 'int a;\n');
    assert.ok((await sourcesTar(snap, mtime)).length > 0, 'packed again once the file is back');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
