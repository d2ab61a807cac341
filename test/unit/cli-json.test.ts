import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BuildView } from '../../cli/api-client.js';
import { buildJson, errorJson } from '../../cli/json-output.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

test('build --json: the build with absolute artifact URLs', () => {
  const view: BuildView = {
    id: 'b'.repeat(64),
    state: 'succeeded',
    stage: 'done',
    progress: 100,
    kernel: '6.1.0-57-amd64',
    error: null,
    artifacts: [{ name: 'kpython.ko', sha256: 'c'.repeat(64), size: 10, url: `/v1/builds/${'b'.repeat(64)}/artifacts/kpython.ko` }, { name: 'build.log', url: '/x/build.log' }],
    links: { self: '', log: '' },
  };
  assert.deepEqual(buildJson(view, 'http://127.0.0.1:8080', true), {
    ok: true,
    command: 'build',
    build: {
      id: view.id,
      state: 'succeeded',
      kernel: '6.1.0-57-amd64',
      error: null,
      artifacts: [
        { name: 'kpython.ko', sha256: 'c'.repeat(64), size: 10, url: `http://127.0.0.1:8080/v1/builds/${'b'.repeat(64)}/artifacts/kpython.ko` },
        { name: 'build.log', sha256: null, size: null, url: 'http://127.0.0.1:8080/x/build.log' },
      ],
    },
  });
  assert.deepEqual(errorJson('fetch', 'nope', 5), { ok: false, command: 'fetch', error: { message: 'nope', exitCode: 5 } });
});

test('--json: a failure is one JSON document on stdout, the message on stderr, the exit code kept', () => {
  const r = spawnSync(process.execPath, [CLI, 'verify', '/nonexistent/kpython.ko', '--json', '--server', 'http://127.0.0.1:1'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.deepEqual(JSON.parse(r.stdout), { ok: false, command: 'verify', error: { message: 'cannot read /nonexistent/kpython.ko', exitCode: 1 } });
  assert.match(r.stderr, /^kpython: cannot read/);
  const usage = spawnSync(process.execPath, [CLI, 'fetch', '--json', '--root', '/tmp/x'], { encoding: 'utf8' });
  assert.equal(usage.status, 1);
  assert.equal((JSON.parse(usage.stdout) as { error: { message: string } }).error.message, '--root goes with fetch --install');
});
