import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import tar from 'tar-stream';
import { readOutputs } from '../../worker/output-tar.js';

function tarOf(entries: tar.Headers[]): Readable {
  const pack = tar.pack();
  for (const e of entries) pack.entry(e, e.type === 'file' || !e.type ? 'x'.repeat(e.size ?? 0) : undefined);
  pack.finalize();
  return pack;
}

test('regular files are read, keyed without the top directory', async () => {
  const out = await readOutputs(tarOf([{ name: 'out/', type: 'directory' }, { name: 'out/kpython.ko', size: 5 }]), 100);
  assert.deepEqual([...out.keys()], ['kpython.ko']);
  assert.equal(out.get('kpython.ko')?.length, 5);
});

test('links, devices and oversized output are refused', async () => {
  await assert.rejects(readOutputs(tarOf([{ name: 'out/kpython.ko', type: 'symlink', linkname: '/etc/shadow' }]), 100), /unexpected symlink/);
  await assert.rejects(readOutputs(tarOf([{ name: 'out/x', type: 'character-device' }]), 100), /unexpected/);
  await assert.rejects(readOutputs(tarOf([{ name: 'out/big', size: 200 }]), 100), /larger than/);
});
