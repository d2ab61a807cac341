import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkModule, readModinfo } from '../../lib/elf-modinfo.js';
import { makeModuleElf } from './elf-fixture.js';

const GOOD = ['license=GPL', 'name=kpython', 'vermagic=6.1.0-56-amd64 SMP preempt mod_unload modversions '];
const code = (c: string) => (e: { code?: string }) => e.code === c;

test('reads .modinfo and accepts the right module', () => {
  const elf = makeModuleElf(GOOD);
  assert.deepEqual(readModinfo(elf).get('name'), ['kpython']);
  assert.equal(checkModule(elf, { release: '6.1.0-56-amd64', arch: 'amd64', name: 'kpython' }).vermagic, '6.1.0-56-amd64 SMP preempt mod_unload modversions');
});

test('wrong release, name, machine, type or no ELF at all: ARTIFACT_INVALID', () => {
  const opts = { release: '6.1.0-56-amd64', arch: 'amd64', name: 'kpython' };
  assert.throws(() => checkModule(makeModuleElf(GOOD), { ...opts, release: '6.1.0-55-amd64' }), code('ARTIFACT_INVALID'));
  assert.throws(() => checkModule(makeModuleElf(GOOD), { ...opts, release: '6.1.0-56' }), code('ARTIFACT_INVALID'));
  assert.throws(() => checkModule(makeModuleElf(['name=other', GOOD[2] as string]), opts), code('ARTIFACT_INVALID'));
  assert.throws(() => checkModule(makeModuleElf(GOOD, 183), opts), code('ARTIFACT_INVALID'));
  assert.throws(() => checkModule(makeModuleElf(GOOD, 62, 2), opts), code('ARTIFACT_INVALID'));
  assert.throws(() => checkModule(makeModuleElf(['name=kpython']), opts), /no vermagic/);
  assert.throws(() => readModinfo(Buffer.from('#!/bin/sh\necho not a module\n'.repeat(4))), /not an ELF/);
});
