import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuildRequestSchema } from '../../lib/build-request.js';
import { KERNEL_RELEASE_RE, packageVersionFromUnameV } from '../../lib/kernel-version.js';

test('package version from uname -v', () => {
  assert.equal(packageVersionFromUnameV('#1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)'), '6.1.123-1');
  assert.equal(packageVersionFromUnameV('#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2026-01-01)'), '6.12.117-1~deb12u1');
  assert.equal(packageVersionFromUnameV('6.1.192-2'), '6.1.192-2');
  assert.equal(packageVersionFromUnameV('#1 SMP Ubuntu'), undefined);
});

test('build requests', () => {
  assert.ok(KERNEL_RELEASE_RE.test('6.1.0-56-amd64'));
  assert.ok(!KERNEL_RELEASE_RE.test('../etc'));
  assert.deepEqual(BuildRequestSchema.parse({ kernel: '6.1.0-56-amd64' }), { kernel: '6.1.0-56-amd64', force: false });
  assert.throws(() => BuildRequestSchema.parse({}));
  assert.throws(() => BuildRequestSchema.parse({ kernel: '6.1.0-56-amd64', headers: `sha256:${'a'.repeat(64)}` }));
  assert.throws(() => BuildRequestSchema.parse({ kernel: '6.1.0-56-amd64', unknown: true }));
  assert.throws(() => BuildRequestSchema.parse({ kernel: 'rm -rf /' }));
});
