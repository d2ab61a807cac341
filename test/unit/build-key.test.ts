import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HeaderResolution } from '../../lib/archive-resolver.js';
import { makeBuildPlan } from '../../lib/build-plan.js';
import type { BuilderImage } from '../../lib/builder-images.js';
import { canonicalJson } from '../../lib/canonical-json.js';

const resolution: HeaderResolution = {
  kind: 'debian',
  release: '6.1.0-56-amd64',
  arch: 'amd64',
  version: '6.1.192-2',
  packages: [{ name: 'linux-headers-6.1.0-56-amd64', version: '6.1.192-2', arch: 'amd64', sha256: 'a'.repeat(64), size: 1, suite: 'bookworm-security', url: 'http://mirror.test/x.deb' }],
  toolchain: ['linux-compiler-gcc-12-x86'],
};
const image: BuilderImage = { name: 'bookworm-gcc12', tag: 't', id: `sha256:${'b'.repeat(64)}`, spec: 's', suite: 'bookworm', compiler: 'gcc-12', compilerVersion: 'gcc-12 12.2.0' };
const plan = (over: Partial<{ sourcesDigest: string; builderScriptDigest: string }> = {}, r = resolution, i = image) =>
  makeBuildPlan({ resolution: r, image: i, sourcesDigest: 'c'.repeat(64), builderScriptDigest: 'd'.repeat(64), ...over });

test('canonical JSON ignores key order and undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
});

test('the build key depends on every input and nothing else', () => {
  const k = plan().key;
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(plan().key, k, 'deterministic');
  assert.equal(makeBuildPlan({ resolution: { ...resolution, packages: [{ ...resolution.packages[0]!, url: 'http://elsewhere.test/x.deb', suite: 'other' }] }, image, sourcesDigest: 'c'.repeat(64), builderScriptDigest: 'd'.repeat(64), force: true }).key, k, 'mirror, suite and force are not inputs');
  assert.notEqual(plan({ sourcesDigest: 'e'.repeat(64) }).key, k);
  assert.notEqual(plan({ builderScriptDigest: 'e'.repeat(64) }).key, k);
  assert.notEqual(plan({}, { ...resolution, packages: [{ ...resolution.packages[0]!, sha256: 'f'.repeat(64) }] }).key, k);
  assert.notEqual(plan({}, { ...resolution, version: '6.1.192-3' }).key, k);
  assert.notEqual(plan({}, resolution, { ...image, id: `sha256:${'0'.repeat(64)}` }).key, k);
});
