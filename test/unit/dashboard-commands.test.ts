import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codenameOf, commandBlocks, sh, signedArtifacts } from '../../server/dashboard/client/commands.js';
import { buildDuration, formatBytes, formatDuration } from '../../server/dashboard/client/format.js';

const id = 'd'.repeat(64);
const art = (name: string) => ({ name, url: `/v1/builds/${id}/artifacts/${name}` });
const origin = 'http://127.0.0.1:8080';

test('verify commands for every artifact with a detached signature, module and .deb alike', () => {
  const artifacts = ['kpython.ko', 'kpython.ko.sig', 'kpython.ko.debug', 'provenance.json', 'build.log', 'kpython-modules-6.1.0-57-amd64_6.1.158-1_amd64.deb', 'kpython-modules-6.1.0-57-amd64_6.1.158-1_amd64.deb.sig'].map(art);
  assert.deepEqual(signedArtifacts(artifacts).map((a) => a.name), ['kpython.ko', 'kpython-modules-6.1.0-57-amd64_6.1.158-1_amd64.deb']);
  const blocks = commandBlocks(origin, { id, kernel: '6.1.0-57-amd64', version: '6.1.158-1', trust: 'archive', suite: 'bookworm-security', artifacts });
  assert.deepEqual(blocks.map((b) => b.title), ['Fetch and verify in one step', 'Verify kpython.ko', 'Verify kpython-modules-6.1.0-57-amd64_6.1.158-1_amd64.deb', 'Install with apt']);
  assert.deepEqual(blocks[0]?.lines, ['kpython fetch --server http://127.0.0.1:8080 --kernel 6.1.0-57-amd64 --version 6.1.158-1 -o kpython.ko']);
  assert.deepEqual(blocks[1]?.lines, [
    `curl -fsSL -o kpython.ko ${origin}/v1/builds/${id}/artifacts/kpython.ko`,
    `curl -fsSL -o kpython.ko.sig ${origin}/v1/builds/${id}/artifacts/kpython.ko.sig`,
    `curl -fsSL -o kpython.ko.provenance.json ${origin}/v1/builds/${id}/artifacts/provenance.json`,
    `kpython verify kpython.ko --server ${origin}`,
  ]);
  assert.deepEqual(blocks[3]?.lines, [
    `curl -fsSL ${origin}/v1/keys/apt.gpg | sudo tee /usr/share/keyrings/kpython.gpg >/dev/null`,
    `echo 'deb [signed-by=/usr/share/keyrings/kpython.gpg] ${origin}/apt bookworm main' | sudo tee /etc/apt/sources.list.d/kpython.list`,
    'sudo apt-get update',
    'sudo apt-get install kpython-modules-6.1.0-57-amd64',
  ]);
});

test('uploaded builds: no fetch by release, verify allows the upload explicitly; no .deb, no apt lines', () => {
  const blocks = commandBlocks(origin, { id, kernel: '6.1.0-57-amd64', version: null, trust: 'uploaded', artifacts: ['kpython.ko', 'kpython.ko.sig', 'provenance.json'].map(art) });
  assert.deepEqual(blocks.map((b) => b.title), ['Verify kpython.ko']);
  assert.match(blocks[0]?.lines.at(-1) ?? '', /--allow-uploaded-headers$/);
});

test('shell quoting, suite codenames, formatting', () => {
  assert.equal(sh('6.1.0-57-amd64'), '6.1.0-57-amd64');
  assert.equal(sh("it's"), `'it'\\''s'`);
  assert.equal(sh('a b'), "'a b'");
  assert.equal(codenameOf('trixie'), 'trixie');
  assert.equal(codenameOf('bookworm-updates'), 'bookworm');
  assert.equal(formatBytes(850), '850 B');
  assert.equal(formatBytes(112_000), '109 KiB');
  assert.equal(formatBytes(5.5 * 1048576), '5.5 MiB');
  assert.equal(formatDuration(4200), '4.2 s');
  assert.equal(formatDuration(83_000), '1 min 23 s');
  assert.equal(buildDuration({ state: 'running', durationMs: null, startedAt: new Date(1000).toISOString() }, 6000), 5000);
  assert.equal(buildDuration({ state: 'queued', durationMs: null, startedAt: null }), null);
});
