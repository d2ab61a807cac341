import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuilderImage } from '../../lib/builder-images.js';
import { queueNameFor, targetsOf } from '../../lib/build-targets.js';
import { archForKernel } from '../../cli/host-arch.js';
import { kbuildArch } from '../../worker/container-layout.js';
import { WorkerSlots } from '../../worker/worker-slots.js';

const image = (name: string, targetArch: string) => ({ name, targetArch }) as BuilderImage;

test('one queue per target: the builders\' own keeps the configured name', () => {
  assert.equal(queueNameFor('builds', 'amd64', 'amd64'), 'builds');
  assert.equal(queueNameFor('builds', 'arm64', 'amd64'), 'builds-arm64');
  assert.deepEqual(targetsOf([image('b', 'arm64'), image('a', 'amd64'), image('c', 'arm64')]), ['amd64', 'arm64']);
  assert.deepEqual(targetsOf([]), []);
  assert.equal(kbuildArch('arm64'), 'arm64');
  assert.equal(kbuildArch('amd64'), 'x86');
  assert.throws(() => kbuildArch('mips'), /no Kbuild ARCH/);
});

test('worker slots are shared by every target queue and say when they fill and free', () => {
  const slots = new WorkerSlots(2);
  const events: boolean[] = [];
  slots.onChange((full) => events.push(full));
  assert.equal(slots.tryTake(), true);
  assert.equal(slots.tryTake(), true);
  assert.equal(slots.tryTake(), false, 'a third build waits for another worker');
  assert.equal(slots.inUse, 2);
  slots.give();
  assert.equal(slots.tryTake(), true);
  slots.give();
  slots.give();
  slots.give();
  assert.equal(slots.inUse, 0, 'never below zero');
  assert.deepEqual(events, [true, false, true, false]);
});

test('the CLI asks for its own architecture only for the kernel it runs', () => {
  assert.equal(archForKernel('6.1.0-57-arm64', '6.1.0-57-arm64', 'arm64'), 'arm64');
  assert.equal(archForKernel('6.1.0-57-amd64', '6.1.0-57-amd64', 'x64'), 'amd64');
  assert.equal(archForKernel('6.1.0-57-arm64', '6.1.0-57-amd64', 'x64'), undefined, 'another machine\'s kernel names its own arch');
  assert.equal(archForKernel('6.1.0-57-armmp', '6.1.0-57-armmp', 'arm'), undefined);
});
