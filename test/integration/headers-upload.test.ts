import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { runCommand } from '../../lib/run-command.js';
import { LABEL_RUN } from '../../worker/container-client.js';
import { buildDirEntries, gz, makeTar } from '../unit/headers-fixture.js';
import { currentBookwormKernel, waitForBuild, type TestEnv } from './helpers/test-core.js';
import { startServedEnv, type ServedEnv } from './helpers/served-env.js';

type Problem = { code: string; status: number; detail: string };

const postHeaders = (url: string, body: BodyInit | Buffer, type: string, extra: Record<string, string> = {}) =>
  fetch(`${url}/v1/headers`, {
    method: 'POST',
    headers: { 'content-type': type, ...extra },
    body: Buffer.isBuffer(body) ? new Uint8Array(body.buffer, body.byteOffset, body.length) : body,
    duplex: 'half',
  } as RequestInit);

async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const p = JSON.parse(text) as Problem;
  assert.equal(p.code, code, text);
  return p;
}

/** Unpack Debian header packages into a temporary root (host tools, test only) and tar them as uploaded by `kpython upload-headers`. */
async function rootedTarball(debs: string[], dir: string): Promise<Buffer> {
  const root = join(dir, 'root');
  await runCommand('mkdir', ['-p', root]);
  for (const d of debs) {
    const r = await runCommand('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2"', 'sh', d, root]);
    assert.equal(r.code, 0, r.stderr);
  }
  const kbuild = (await readdir(join(root, 'usr', 'lib'))).filter((n) => n.startsWith('linux-kbuild-')).map((n) => `usr/lib/${n}`);
  const t = await runCommand('tar', ['-C', root, '-czf', '-', 'usr/src', ...kbuild]);
  assert.equal(t.code, 0, t.stderr);
  return t.stdout;
}

describe('POST /v1/headers: real Debian headers build the same module as the release', () => {
  let served: ServedEnv;
  let env: TestEnv;
  let server: ServedEnv['server'];
  let work: string;
  let kernel: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'kpy-upl-'));
    served = await startServedEnv('upload', { worker: true });
    ({ env, server } = served);
    kernel = await currentBookwormKernel(env.core);
  });
  after(async () => {
    await served?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('tarball and .deb set give one content address; its build is byte-identical to the by-release build', async () => {
    const byRelease = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
    if (byRelease.build.inputs?.headers.kind !== 'debian') throw new Error('expected a Debian build');
    const resolution = await env.core.resolver.resolve({ release: kernel });
    const debs = await Promise.all(resolution.packages.map((p) => env.core.debs.ensure(p)));
    const tgz = await rootedTarball(debs, work);
    const t0 = performance.now();
    const res = await postHeaders(server.url, tgz, 'application/gzip');
    const seconds = (performance.now() - t0) / 1000;
    const body = (await res.json()) as { id: string; release: string; arch: string; layout: string; compiler: { text: string; major: number }; created: boolean; validationMs: number; bytes: number };
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(res.headers.get('location'), `/v1/headers/${body.id}`);
    assert.equal(body.release, kernel);
    assert.equal(body.arch, 'amd64');
    assert.equal(body.layout, 'rooted');
    assert.match(body.compiler.text, /^gcc-12 \(Debian 12\.2\.0/);
    console.log(`# upload: ${(tgz.length / 1048576).toFixed(1)} MiB tar.gz (${(body.bytes / 1048576).toFixed(1)} MiB of files) in ${seconds.toFixed(2)} s = ${(tgz.length / 1048576 / seconds).toFixed(1)} MB/s; validation ${body.validationMs} ms`);

    const form = new FormData();
    for (const d of debs) form.append('deb', new Blob([await readFile(d)]), d.split('/').pop());
    const viaDebs = await fetch(`${server.url}/v1/headers`, { method: 'POST', body: form });
    const debBody = (await viaDebs.json()) as { id: string; created: boolean; layout: string };
    assert.equal(viaDebs.status, 200, JSON.stringify(debBody));
    assert.equal(debBody.id, body.id, 'the .deb files hold the same tree: same id, stored once');
    assert.equal((await env.core.headers.ids()).length, 1);
    assert.equal((await fetch(`${server.url}/v1/headers/${body.id}`)).status, 200);

    const fromUpload = await env.core.service.submit({ headers: body.id, arch: 'amd64', force: false });
    assert.notEqual(fromUpload.build.id, byRelease.build.id, 'different inputs, different keys');
    const [a, b] = [await waitForBuild(env.core, byRelease.build.id), await waitForBuild(env.core, fromUpload.build.id)];
    assert.equal(a.state, 'succeeded', JSON.stringify(a.error));
    assert.equal(b.state, 'succeeded', JSON.stringify(b.error));
    assert.ok(a.meta && b.meta);
    assert.equal(b.meta.unsignedSha256, a.meta.unsignedSha256, 'unsigned kpython.ko from uploaded headers equals the by-release build');
    const view = (await (await fetch(`${server.url}/v1/builds/${fromUpload.build.id}`)).json()) as { headers: string; kernel: string; toolchain: { match: string } };
    assert.equal(view.headers, body.id);
    assert.equal(view.kernel, kernel);
    assert.equal(view.toolchain.match, 'exact');
  });
});

describe('POST /v1/headers: limits and refusals over HTTP, nothing half-stored', () => {
  let served: ServedEnv;
  let env: TestEnv;
  let server: ServedEnv['server'];
  before(async () => {
    served = await startServedEnv('upload-limits', { worker: false, env: { KPY_MAX_UPLOAD_MB: '1', KPY_MAX_HEADERS_EXPANDED_MB: '8' } });
    ({ env, server } = served);
  });
  after(async () => {
    await served?.close();
  });

  it('answers 413, 415 and each refusal code; stores nothing and leaves no scratch files', async () => {
    const url = server.url;
    await expectProblem(await postHeaders(url, 'x', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectProblem(await postHeaders(url, Buffer.alloc(2 * 1024 * 1024), 'application/x-tar'), 413, 'PAYLOAD_TOO_LARGE');
    // No Content-Length: the limit holds while streaming.
    const chunks = async function* () {
      for (let i = 0; i < 40; i++) yield new Uint8Array(64 * 1024);
    };
    await expectProblem(await postHeaders(url, Readable.toWeb(Readable.from(chunks())) as unknown as BodyInit, 'application/x-tar'), 413, 'PAYLOAD_TOO_LARGE');
    const base = buildDirEntries();
    const cases: [Parameters<typeof makeTar>[0], number, string][] = [
      [[...base, { name: '../../etc/cron.d/x', body: 'x' }], 422, 'HEADERS_PATH_UNSAFE'],
      [[...base, { name: 'scripts/evil', type: 'symlink', linkname: '/etc/shadow' }], 422, 'HEADERS_SYMLINK_UNSAFE'],
      [[...base, { name: 'up', type: 'symlink', linkname: '../../../../..' }], 422, 'HEADERS_SYMLINK_UNSAFE'],
      [[...base, { name: 'hl', type: 'link', linkname: '../../etc/shadow' }], 422, 'HEADERS_HARDLINK_UNSAFE'],
      [[...base, { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }], 422, 'HEADERS_DEVICE_FILE'],
      [[...base, { name: 'fifo', type: 'fifo' }], 422, 'HEADERS_FIFO'],
      [base.filter((e) => e.name !== '.config'), 422, 'HEADERS_NO_CONFIG'],
      [base.filter((e) => e.name !== 'Module.symvers'), 422, 'HEADERS_NO_SYMVERS'],
      [[...base, { name: 'zeros', body: Buffer.alloc(32 * 1024 * 1024) }], 413, 'HEADERS_DECOMPRESSION_BOMB'],
    ];
    for (const [entries, status, code] of cases) {
      const p = await expectProblem(await postHeaders(url, gz(await makeTar(entries)), 'application/gzip'), status, code);
      assert.ok(p.detail.length > 20, 'the message says what to upload instead');
    }
    await expectProblem(await postHeaders(url, 'not an archive at all', 'application/octet-stream'), 422, 'HEADERS_ARCHIVE_INVALID');
    assert.deepEqual(await env.core.headers.ids(), [], 'nothing stored');
    assert.deepEqual(await readdir(join(env.dataDir, 'headers', '.tmp')), [], 'no scratch left');
    await expectProblem(
      await fetch(`${url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ headers: `sha256:${'0'.repeat(64)}` }) }),
      404,
      'HEADERS_NOT_FOUND',
    );
    const ok = await postHeaders(url, gz(await makeTar(base)), 'application/gzip');
    assert.equal(ok.status, 201, await ok.clone().text());
    const unknownCc = await postHeaders(url, gz(await makeTar(buildDirEntries({ release: '6.1.0-98-amd64', cc: 'gcc-13 (Debian 13.3.0-1) 13.3.0' }))), 'application/gzip');
    const { id } = (await unknownCc.json()) as { id: string };
    const p = await expectProblem(
      await fetch(`${url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ headers: id }) }),
      422,
      'COMPILER_UNAVAILABLE',
    );
    assert.match(p.detail, /gcc 13/);
    assert.match(p.detail, /gcc-12/);
  });
});

/** Headers whose Makefile does something hostile when the module build runs it. */
function hostileHeaders(release: string, recipe: string): Promise<Buffer> {
  const makefile = `all modules %:\n${recipe
    .trim()
    .split('\n')
    .map((l) => `\t${l}`)
    .join('\n')}\n`;
  return makeTar(buildDirEntries({ release, makefile })).then(gz);
}

describe('hostile Makefiles in uploaded headers run only in the locked-down container', () => {
  let served: ServedEnv;
  let env: TestEnv;
  let server: ServedEnv['server'];
  let listener: Server;
  let port = 0;
  let connections = 0;
  const tag = randomBytes(4).toString('hex');

  before(async () => {
    listener = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
    served = await startServedEnv(`hostile-${tag}`, { worker: true, env: { KPY_BUILD_TIMEOUT_SEC: '8', KPY_BUILD_PIDS: '200', KPY_BUILD_MEMORY_MB: '512' } });
    ({ env, server } = served);
  });
  after(async () => {
    await served?.close();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  const run = async (name: string, recipe: string) => {
    const up = await postHeaders(server.url, await hostileHeaders(`6.1.0-${name}-amd64`, recipe), 'application/gzip');
    const { id } = (await up.json()) as { id: string };
    assert.equal(up.status, 201);
    const { build } = await env.core.service.submit({ headers: id, arch: 'amd64', force: false });
    const t0 = Date.now();
    const done = await waitForBuild(env.core, build.id, 90_000);
    const log = await readFile((await env.core.store.path(build.id, 'build.log')) ?? '', 'utf8');
    const left = await new Docker({ socketPath: env.config.dockerSocket }).listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${env.runLabel}`] } });
    assert.equal(left.length, 0, 'the container is gone');
    assert.equal(done.state, 'failed', log);
    return { done, log, seconds: (Date.now() - t0) / 1000 };
  };

  it('network access fails: no interface but loopback, nothing reaches the host', async () => {
    const { done, log } = await run(
      'net',
      `
cat /proc/net/dev
python3 -c 'import socket; socket.create_connection(("127.0.0.1", ${port}), timeout=3)' || echo NET-REFUSED
python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:${port}/", timeout=3)' || echo HTTP-REFUSED
exit 1`,
    );
    assert.equal(done.error?.code, 'COMPILE_ERROR');
    assert.match(log, /NET-REFUSED/);
    assert.match(log, /HTTP-REFUSED/);
    assert.doesNotMatch(log, /eth0|ens|enp/);
    assert.equal(connections, 0, 'the host listener saw no connection');
  });

  it('writes outside the work directory fail and change nothing on the host or in the image', async () => {
    const { done, log } = await run(
      'write',
      `
touch /etc/kpy-pwned-${tag} || echo ETC-DENIED
touch /kpy-pwned-${tag} || echo ROOT-DENIED
touch /usr/bin/kpy-pwned-${tag} || echo USR-DENIED
touch /var/run/docker.sock 2>/dev/null; ls -l /var/run/docker.sock || echo NO-DOCKER-SOCKET
touch /tmp/kpy-pwned-${tag} && echo TMP-IS-CONTAINER-TMPFS
exit 1`,
    );
    assert.equal(done.error?.code, 'COMPILE_ERROR');
    for (const m of ['ETC-DENIED', 'ROOT-DENIED', 'USR-DENIED', 'NO-DOCKER-SOCKET']) assert.match(log, new RegExp(m));
    for (const p of [`/etc/kpy-pwned-${tag}`, `/kpy-pwned-${tag}`, `/usr/bin/kpy-pwned-${tag}`, `/tmp/kpy-pwned-${tag}`]) assert.equal(existsSync(p), false, p);
    const image = (await env.core.service.images()).find((i) => i.name === 'bookworm-gcc12');
    assert.ok(image);
    const r = await runCommand('docker', ['run', '--rm', '--network', 'none', image.id, 'sh', '-c', `test ! -e /etc/kpy-pwned-${tag} && test ! -e /tmp/kpy-pwned-${tag}`]);
    assert.equal(r.code, 0, 'the builder image is unchanged');
  });

  it('a fork bomb hits the pids limit and is killed; an endless loop is killed at the time limit', async () => {
    const bomb = await run('bomb', `sh -c 'b() { b | b & }; b; sleep 60'`);
    assert.ok(['BUILD_TIMEOUT', 'COMPILE_ERROR'].includes(bomb.done.error?.code ?? ''), JSON.stringify(bomb.done.error));
    const loop = await run('loop', 'while :; do :; done');
    assert.equal(loop.done.error?.code, 'BUILD_TIMEOUT');
    assert.ok(loop.seconds < 40, `killed promptly (${loop.seconds} s)`);
    const ps = await runCommand('sh', ['-c', 'ps -eo comm | grep -c "^sh$" || true']);
    assert.ok(Number(ps.stdout.toString().trim()) < 100, 'no fork-bomb processes left on the host');
  });
});

