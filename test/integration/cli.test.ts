import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, type TestEnv } from './helpers/test-core.js';
import { listen } from './helpers/test-server.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('kpython CLI against a real service', () => {
  let env: TestEnv;
  let server: { url: string; close(): Promise<void> };
  let src: string;
  let out: string;
  let kernel: string;
  before(async () => {
    src = await makeStandInSources('ok', `cli-${Date.now()}`);
    out = await mkdtemp(join(tmpdir(), 'kpy-cli-'));
    env = await makeTestEnv({ sourceDir: src, worker: true });
    server = await listen(env);
    kernel = await currentBookwormKernel(env.core);
  });
  after(async () => {
    await server?.close();
    await env?.cleanup();
    await rm(src, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  });

  it('fetch builds, waits, downloads and verifies; verify catches tampering; exit codes', async () => {
    const ko = join(out, 'kpython.ko');
    const f = await cli(['fetch', '--server', server.url, '--kernel', kernel, '-o', ko]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout.trim(), ko);
    assert.match(f.stderr, /ok {3}provenance/);

    const v = await cli(['verify', ko, '--server', server.url]);
    assert.equal(v.code, 0, v.stderr);
    const bytes = await readFile(ko);
    bytes[64] = (bytes[64] ?? 0) ^ 0xff;
    await writeFile(ko, bytes);
    const bad = await cli(['verify', ko, '--server', server.url]);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /FAIL detached signature/);

    const k = await cli(['kernels', '--server', server.url]);
    assert.equal(k.code, 0);
    assert.match(k.stdout, new RegExp(`${kernel.replace(/\./g, '\\.')}\\s.*built`));
    const b = await cli(['build', '--server', server.url, '--kernel', kernel]);
    assert.equal(b.code, 0);
    const id = b.stdout.split(' ')[0] as string;
    assert.match(b.stdout, /succeeded/);
    const log = await cli(['log', id, '--follow', '--server', server.url]);
    assert.equal(log.code, 0);
    assert.match(log.stdout, /LD \[M\]/);

    assert.equal((await cli(['fetch', '--server', server.url, '--kernel', '6.1.0-999-amd64'])).code, 5);
    assert.equal((await cli(['fetch', '--server', server.url])).code, 1);
    assert.equal((await cli(['kernels', '--server', 'http://127.0.0.1:1'])).code, 4);
  });
});
