import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareDebianVersions, satisfies } from '../../lib/debian-version.js';

test('Debian version ordering follows dpkg', () => {
  const ascending = ['1.0~rc1', '1.0', '1.0-1', '1.0-1+b1', '1.0a', '1.1', '6.1.176-1', '6.1.192-2', '6.12.117-1~deb12u1', '6.12.117-1', '1:0.1'];
  for (let i = 0; i + 1 < ascending.length; i++) {
    const a = ascending[i] as string;
    const b = ascending[i + 1] as string;
    assert.ok(compareDebianVersions(a, b) < 0, `${a} < ${b}`);
    assert.ok(compareDebianVersions(b, a) > 0, `${b} > ${a}`);
  }
  assert.equal(compareDebianVersions('6.1.192-2', '6.1.192-2'), 0);
  assert.equal(compareDebianVersions('01.0', '1.0'), 0);
});

test('dependency relations', () => {
  assert.ok(satisfies('6.1.192-2', '>=', '6.1.192-2'));
  assert.ok(!satisfies('6.1.176-1', '>=', '6.1.192-2'));
  assert.ok(satisfies('6.1.192-2', '=', '6.1.192-2'));
  assert.ok(satisfies('1.0', '<<', '1.1'));
  assert.ok(!satisfies('1.0', '>>', '1.0'));
  assert.ok(!satisfies('1.0', '??', '1.0'));
});
