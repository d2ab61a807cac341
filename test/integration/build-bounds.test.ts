import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { buildDirEntries, gz, makeTar } from '../unit/headers-fixture.js';
import { spawnService, type SpawnedService } from './helpers/spawned-service.js';
import { makeTestEnv, waitForBuild, type TestEnv } from './helpers/test-core.js';
import { listen } from './helpers/test-server.js';

/** Sources whose top Makefile is `recipe` (what the build container runs as `make KDIR=...`). */
async function sourcesWith(recipe: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-src-'));
  await mkdir(join(dir, 'kernel_mod'));
  await writeFile(join(dir, 'Makefile'), ['all:', ...recipe.map((l) => `\t${l}`), ''].join('\n'));
  return dir;
}

/** Upload the minimal fixture tree (its Makefile is never used by these recipes) and build against it. */
async function buildAgainstUpload(url: string): Promise<string> {
  const body = gz(await makeTar(buildDirEntries()));
  const up = await fetch(`${url}/v1/headers`, {
    method: 'POST',
    headers: { 'content-type': 'application/gzip' },
    body: new Uint8Array(body.buffer, body.byteOffset, body.length) as unknown as BodyInit,
  });
  const { id } = (await up.json()) as { id: string };
  const res = await fetch(`${url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ headers: id }) });
  const b = (await res.json()) as { id: string };
  assert.equal(res.status, 202, JSON.stringify(b));
  return b.id;
}

/** What a build container prints and writes is bounded: log lines, the log, the work volume, the output. */
describe('a build\'s output is bounded', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  async function served(recipe: string[], env: Record<string, string>): Promise<{ env: TestEnv; url: string }> {
    const src = await sourcesWith(recipe);
    const e = await makeTestEnv({ sourceDir: src, worker: true, env });
    const s = await listen(e);
    cleanups.push(async () => {
      await s.close();
      await e.cleanup();
      await rm(src, { recursive: true, force: true });
    });
    return { env: e, url: s.url };
  }

  it('a 100 kB line is cut, a log past KPY_BUILD_LOG_MB is cut with a note, a full work volume fails with BUILD_OUTPUT_TOO_LARGE', async () => {
    const { env, url } = await served(
      [
        '@head -c 100000 /dev/zero | tr "\\\\0" L; echo',
        // Docker's followed log may lose the last lines of a container that exits: the proof comes first.
        '-@dd if=/dev/zero of=/build/src/fill bs=1M count=200 2>&1',
        '@i=0; while [ $$i -lt 30000 ]; do echo "filler line $$i: ................................................................"; i=$$((i+1)); done',
        '@sleep 1; exit 1',
      ],
      { KPY_BUILD_WORK_MB: '64', KPY_BUILD_LOG_MB: '1' },
    );
    const id = await buildAgainstUpload(url);
    const b = await waitForBuild(env.core, id, 180_000);
    assert.equal(b.state, 'failed');
    assert.equal(b.error?.code, 'BUILD_OUTPUT_TOO_LARGE', JSON.stringify(b.error));
    const log = await readFile((await env.core.store.path(id, 'build.log')) as string, 'utf8');
    assert.ok(log.length < 1.1 * 1024 * 1024, `build.log is ${log.length} bytes`);
    assert.match(log, /L{4096} \[kpython: line cut, 95904 more characters\]/);
    assert.match(log, /\[kpython\] log cut: more than 1 MiB/);
    assert.match(JSON.stringify(b.error?.details), /filler line/, 'the tail survives the cut');
  });

  it('an output tar past KPY_BUILD_OUTPUT_MB fails with BUILD_OUTPUT_TOO_LARGE before it is read', async () => {
    const { env, url } = await served(['mkdir -p kernel_mod && head -c 20971520 /dev/urandom > kernel_mod/kpython.ko'], { KPY_BUILD_OUTPUT_MB: '8' });
    const id = await buildAgainstUpload(url);
    const b = await waitForBuild(env.core, id, 180_000);
    assert.equal(b.state, 'failed');
    assert.equal(b.error?.code, 'BUILD_OUTPUT_TOO_LARGE', JSON.stringify(b.error));
  });
});

/** A redis-server of this test's own (an OS-picked port, a scratch directory), so its ACLs can be changed. */
async function privateRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-redis-'));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    const ok = await r.connect().then(() => r.ping(), () => undefined);
    r.disconnect();
    if (ok === 'PONG') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Redis error replies while the worker flushes log lines (XADD refused by
 * an ACL, so the whole MULTI is aborted): logged, the build goes on, the
 * process lives.
 */
describe('one crash policy: a build\'s fault never takes the process down', () => {
  let svc: SpawnedService | undefined;
  let redisSrv: Awaited<ReturnType<typeof privateRedis>> | undefined;
  let src: string;
  after(async () => {
    await svc?.stop();
    await redisSrv?.stop();
    if (src) await rm(src, { recursive: true, force: true });
  });

  it('log flushes refused by Redis (NOPERM, EXECABORT): the service keeps serving and the build ends with a code', async () => {
    src = await sourcesWith(['@i=0; while [ $$i -lt 40 ]; do echo "step $$i"; sleep 0.25; i=$$((i+1)); done', 'mkdir -p kernel_mod && echo x > kernel_mod/kpython.ko']);
    redisSrv = await privateRedis();
    svc = await spawnService({ role: 'all', sources: src, env: { KPY_REDIS_URL: redisSrv.url } });
    const id = await buildAgainstUpload(svc.url);
    const admin = new Redis(redisSrv.url);
    try {
      for (let i = 0; i < 200; i++) {
        const s = (await (await fetch(`${svc.url}/v1/builds/${id}`)).json()) as { state: string };
        if (s.state === 'running') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1500));
      await admin.call('ACL', 'SETUSER', 'default', '-xadd');
      await new Promise((r) => setTimeout(r, 3000));
      await admin.call('ACL', 'SETUSER', 'default', '+xadd');
      let state = 'running';
      for (let i = 0; i < 600 && (state === 'running' || state === 'queued'); i++) {
        await new Promise((r) => setTimeout(r, 250));
        assert.equal(svc.child.exitCode, null, `the service exited:\n${svc.logs.slice(-20).join('\n')}`);
        state = ((await (await fetch(`${svc.url}/v1/builds/${id}`)).json()) as { state: string }).state;
      }
      // The fake module is no ELF: the build fails with its own code, and the process is still there.
      assert.equal(state, 'failed');
      assert.equal((await fetch(`${svc.url}/healthz`)).status, 200);
      assert.ok(svc.logs.some((l) => /live log lines lost/.test(l)), 'the lost lines are logged');
    } finally {
      admin.disconnect();
    }
  });
});
