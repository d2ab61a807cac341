import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';
import { parseModuleSignature } from '../../lib/signing/module-signature.js';
import { currentBookwormKernel, waitForBuild, type TestEnv } from './helpers/test-core.js';
import { startServedEnv, type ServedEnv } from './helpers/served-env.js';

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
  let served: ServedEnv;
  let env: TestEnv;
  let server: ServedEnv['server'];
  let out: string;
  let kernel: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'kpy-cli-'));
    served = await startServedEnv('cli', { worker: true });
    ({ env, server } = served);
    kernel = await currentBookwormKernel(env.core);
  });
  after(async () => {
    await served?.close();
    await rm(out, { recursive: true, force: true });
  });

  it('fetch builds, waits, downloads and verifies; verify catches tampering; exit codes', async () => {
    const ko = join(out, 'kpython.ko');
    const f = await cli(['fetch', '--server', server.url, '--kernel', kernel, '-o', ko]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout.trim(), ko);
    assert.match(f.stderr, /ok {3}provenance/);
    assert.match(f.stderr, /^\[[0-9a-f]{12}\] running \w+ \d+%$/m, 'without a terminal: a plain line per stage');

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

  it('fetch --install --root puts the module under updates/ and runs depmod; --json on stdout, logs on stderr', async () => {
    const root = join(out, 'root');
    const ko = join(out, 'installed-from.ko');
    const f = await cli(['fetch', '--server', server.url, '--kernel', kernel, '-o', ko, '--install', '--root', root, '--json']);
    assert.equal(f.code, 0, f.stderr);
    const doc = JSON.parse(f.stdout) as { ok: boolean; command: string; build: string; kernel: string; trust: string; sha256: string; installed: { path: string; depmod: string[] }; files: { module: string }; checks: { name: string; ok: boolean }[] };
    const path = join(root, 'lib', 'modules', kernel, 'updates', 'kpython', 'kpython.ko');
    assert.equal(doc.ok, true);
    assert.equal(doc.command, 'fetch');
    assert.equal(doc.kernel, kernel);
    assert.equal(doc.trust, 'archive');
    assert.equal(doc.installed.path, path);
    assert.deepEqual(doc.installed.depmod.slice(1), ['-b', root, '-a', kernel]);
    assert.ok(doc.checks.length >= 5 && doc.checks.every((c) => c.ok));
    assert.equal(sha256Hex(await readFile(path)), doc.sha256);
    assert.equal(sha256Hex(await readFile(doc.files.module)), doc.sha256);
    assert.match(f.stderr, /ok {3}provenance/, 'the checks are logged on stderr');
    assert.match(f.stderr, /installed .*updates\/kpython\/kpython\.ko; ran .*depmod -b/);
    // depmod indexed it: modules.dep lists it and modinfo finds it by name in that root.
    assert.match(await readFile(join(root, 'lib', 'modules', kernel, 'modules.dep'), 'utf8'), /^updates\/kpython\/kpython\.ko:/m);
    const mi = await runCommand('/usr/sbin/modinfo', ['-b', root, '-k', kernel, '-F', 'filename', 'kpython']);
    assert.equal(mi.code, 0, mi.stderr);
    assert.equal(mi.stdout.toString().trim(), path);

    const v = await cli(['verify', path, '--sig', `${ko}.sig`, '--provenance', `${ko}.provenance.json`, '--server', server.url, '--json']);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual((({ ok, kind, trust }) => ({ ok, kind, trust }))(JSON.parse(v.stdout) as { ok: boolean; kind: string; trust: string }), { ok: true, kind: 'module', trust: 'archive' });
    const bad = await cli(['verify', path, '--server', server.url, '--json']);
    assert.equal(bad.code, 3, 'no signature beside the installed copy: refused');
    assert.equal((JSON.parse(bad.stdout) as { ok: boolean }).ok, false);

    // On a terminal (script(1) gives one): a progress bar redrawn in place.
    const tty = await runCommand('script', ['-qec', `${process.execPath} ${CLI} build --server ${server.url} --kernel ${kernel} --force --wait`, '/dev/null']);
    assert.equal(tty.code, 0, tty.stdout.toString());
    const screen = tty.stdout.toString();
    assert.match(screen, /\r\x1b\[2K\[[= >]{24}\] +\d+% \w+ +\d+:\d\d/, 'a progress bar line');
    assert.doesNotMatch(screen, /^\[[0-9a-f]{12}\] /m, 'no plain log lines on a terminal');
  });

  it('fetch --headers uploads a headers tree (Debian split, under a sysroot), builds it and verifies; same bytes as by release', async () => {
    const resolution = await env.core.resolver.resolve({ release: kernel });
    const root = join(out, 'sysroot');
    await mkdir(root);
    for (const p of resolution.packages) {
      const deb = await env.core.debs.ensure(p);
      const r = await runCommand('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2"', 'sh', deb, root]);
      assert.equal(r.code, 0, r.stderr);
    }
    const dir = join(root, 'usr', 'src', `linux-headers-${kernel}`);
    const up = await cli(['upload-headers', dir, '--sysroot', root, '--server', server.url]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    assert.match(up.stderr, /rooted: .*linux-headers-.*-common/);
    assert.match(up.stderr, new RegExp(`stored sha256:[0-9a-f]{64}: ${kernel.replace(/\./g, '\\.')} amd64, gcc-12`));

    const debs = await Promise.all(resolution.packages.map((p) => env.core.debs.ensure(p)));
    const viaDebs = await cli(['upload-headers', ...debs, '--server', server.url]);
    assert.equal(viaDebs.code, 0, viaDebs.stderr);
    assert.equal(viaDebs.stdout.trim(), up.stdout.trim(), 'the installed tree and its .deb files: one content address');

    const ko = join(out, 'from-headers.ko');
    const f = await cli(['fetch', '--headers', dir, '--sysroot', root, '--server', server.url, '-o', ko]);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stderr, /already stored/);
    assert.match(f.stderr, /ok {3}provenance/);
    assert.equal(f.stdout.trim(), ko);
    assert.match(f.stderr, /ok {3}trust level: uploaded headers \(accepted/, 'fetch --headers accepts its own upload, and says so');
    // Uploaded headers are the lower trust level: no module signature.
    const fromHeaders = await readFile(ko);
    assert.equal(parseModuleSignature(fromHeaders), undefined);

    const { build } = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
    const byRelease = await waitForBuild(env.core, build.id);
    assert.equal(byRelease.state, 'succeeded');
    assert.equal(sha256Hex(fromHeaders), byRelease.meta?.unsignedSha256, 'its bytes equal the by-release build before signing');
    const v = await cli(['verify', ko, '--server', server.url]);
    assert.equal(v.code, 3, 'plain verify refuses a module from uploaded headers');

    const bad = await cli(['upload-headers', join(out, 'nowhere'), '--server', server.url]);
    assert.equal(bad.code, 1);
  });
});

