import assert from 'node:assert/strict';
import { test } from 'node:test';
import { depmodArgs, installPath, releaseOfVermagic } from '../../cli/install-module.js';

test('fetch --install: updates/kpython/ of the release, /lib/modules unless only usr/lib/modules exists', () => {
  const none = () => false;
  assert.equal(installPath('/', '6.1.0-57-amd64', none), '/lib/modules/6.1.0-57-amd64/updates/kpython/kpython.ko');
  assert.equal(installPath('/tmp/r', '6.1.0-57-amd64', none), '/tmp/r/lib/modules/6.1.0-57-amd64/updates/kpython/kpython.ko');
  const usrOnly = (p: string) => p === '/tmp/r/usr/lib/modules/6.12.57+deb13-amd64';
  assert.equal(installPath('/tmp/r', '6.12.57+deb13-amd64', usrOnly), '/tmp/r/usr/lib/modules/6.12.57+deb13-amd64/updates/kpython/kpython.ko');
});

test('depmod as the postinst runs it; -b for a root; -F when System.map is there', () => {
  assert.deepEqual(depmodArgs('/', '6.1.0-57-amd64', () => false), ['-a', '6.1.0-57-amd64']);
  assert.deepEqual(depmodArgs('/', '6.1.0-57-amd64', (p) => p === '/boot/System.map-6.1.0-57-amd64'), ['-a', '-F', '/boot/System.map-6.1.0-57-amd64', '6.1.0-57-amd64']);
  assert.deepEqual(depmodArgs('/tmp/r', '6.1.0-57-amd64', () => false), ['-b', '/tmp/r', '-a', '6.1.0-57-amd64']);
  assert.equal(releaseOfVermagic('6.1.0-57-amd64 SMP preempt mod_unload modversions '), '6.1.0-57-amd64');
  assert.throws(() => releaseOfVermagic('  '), /no vermagic/);
});
