import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HeaderResolution } from '../../lib/archive-resolver.js';
import { makeBuildPlan } from '../../lib/build-plan.js';
import { toolchainIdentity, type BuilderImage } from '../../lib/builder-images.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import { kernelConfigFacts } from '../../lib/kernel-compiler.js';

const resolution: HeaderResolution = {
  kind: 'debian',
  release: '6.1.0-56-amd64',
  arch: 'amd64',
  version: '6.1.192-2',
  packages: [{ name: 'linux-headers-6.1.0-56-amd64', version: '6.1.192-2', arch: 'amd64', sha256: 'a'.repeat(64), size: 1, suite: 'bookworm-security', url: 'http://mirror.test/x.deb' }],
  toolchain: ['gcc-12'],
};
const image: BuilderImage = {
  name: 'bookworm-gcc12',
  tag: 'kpython-builder:bookworm-gcc12',
  id: `sha256:${'b'.repeat(64)}`,
  spec: 's',
  suite: 'bookworm',
  compiler: 'gcc-12',
  compilerVersion: 'gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0',
  compilerPackage: '12.2.0-14+deb12u1',
  packagesSha256: '1'.repeat(64),
  packageCount: 151,
  targetArch: 'amd64',
  crossCompile: '',
};
const kernelCompiler = kernelConfigFacts('CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"\nCONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=120200\n').compiler;
const plan = (over: Partial<{ sourcesDigest: string; builderScriptDigest: string; force: boolean }> = {}, r = resolution, i = image) =>
  makeBuildPlan({
    source: { kind: 'debian', resolution: r },
    image: i,
    kernelCompiler,
    toolchainMatch: 'exact',
    sourcesDigest: 'c'.repeat(64),
    builderScriptDigest: 'd'.repeat(64),
    ...over,
  });

test('canonical JSON ignores key order and undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
});

test('the build key depends on every input and nothing else', () => {
  const k = plan().key;
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(plan().key, k, 'deterministic');
  assert.equal(plan({ force: true }, { ...resolution, packages: [{ ...resolution.packages[0]!, url: 'http://elsewhere.test/x.deb', suite: 'other' }] }).key, k, 'mirror, suite and force are not inputs');
  assert.notEqual(plan({ sourcesDigest: 'e'.repeat(64) }).key, k);
  assert.notEqual(plan({ builderScriptDigest: 'e'.repeat(64) }).key, k);
  assert.notEqual(plan({}, { ...resolution, packages: [{ ...resolution.packages[0]!, sha256: 'f'.repeat(64) }] }).key, k);
  assert.notEqual(plan({}, { ...resolution, version: '6.1.192-3' }).key, k);
});

test('the build key names the toolchain by what it is, not by the local image ID', () => {
  const k = plan().key;
  // Another machine imported the same packages: other image ID, tag, record spec.
  const elsewhere = { ...image, id: `sha256:${'0'.repeat(64)}`, tag: 'registry.test/builder:x', spec: 'other', packageCount: 0 };
  assert.equal(plan({}, resolution, elsewhere).key, k, 'local image ID, tag and spec are not inputs');
  assert.equal(toolchainIdentity(elsewhere).digest, toolchainIdentity(image).digest);
  assert.ok(!JSON.stringify(plan().inputs).includes('b'.repeat(64)), 'the image ID appears nowhere in the inputs');
  assert.notEqual(plan({}, resolution, { ...image, packagesSha256: '2'.repeat(64) }).key, k, 'another package set is another toolchain');
  assert.notEqual(plan({}, resolution, { ...image, compilerVersion: 'gcc-12 (Debian 12.2.0-14+deb12u2) 12.2.0' }).key, k);
  assert.equal(plan().image.id, image.id, 'the plan still carries the local image to run');
});

test('uploaded headers are keyed by their content address', () => {
  const upload = {
    id: '9'.repeat(64), release: '6.1.0-56-amd64', arch: 'amd64', kdir: '/usr/src/linux-headers-6.1.0-56-amd64', roots: ['/usr/src'],
    compiler: kernelCompiler, layout: 'build-dir' as const, files: 1, bytes: 1, tarBytes: 1, upload: { format: 'tar', sha256: '8'.repeat(64), bytes: 1 }, createdAt: 'now',
  };
  const p = (u = upload) => makeBuildPlan({ source: { kind: 'upload', upload: u }, image, kernelCompiler, toolchainMatch: 'exact', sourcesDigest: 'c'.repeat(64), builderScriptDigest: 'd'.repeat(64) });
  assert.deepEqual(p().inputs.headers, { kind: 'upload', release: '6.1.0-56-amd64', id: '9'.repeat(64) });
  assert.equal(p({ ...upload, createdAt: 'later', upload: { format: 'tar.gz', sha256: '7'.repeat(64), bytes: 2 } }).key, p().key, 'same tree, same key');
  assert.notEqual(p({ ...upload, id: '6'.repeat(64) }).key, p().key);
  assert.notEqual(p().key, plan().key);
});
