import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
        '@i=0; while [ $$i -lt 30000 ]; do echo "filler line $$i: ................................................................"; i=$$((i+1)); done',
        '@dd if=/dev/zero of=/build/src/fill bs=1M count=200 2>&1',
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
    assert.match(JSON.stringify(b.error?.details), /No space left on device/, 'the tail survives the cut');
  });

  it('an output tar past KPY_BUILD_OUTPUT_MB fails with BUILD_OUTPUT_TOO_LARGE before it is read', async () => {
    const { env, url } = await served(['mkdir -p kernel_mod && head -c 20971520 /dev/urandom > kernel_mod/kpython.ko'], { KPY_BUILD_OUTPUT_MB: '8' });
    const id = await buildAgainstUpload(url);
    const b = await waitForBuild(env.core, id, 180_000);
    assert.equal(b.state, 'failed');
    assert.equal(b.error?.code, 'BUILD_OUTPUT_TOO_LARGE', JSON.stringify(b.error));
  });
});

/** A Redis error reply while the worker flushes log lines: logged, the build goes on, the process lives. */
describe('one crash policy: a build\'s fault never takes the process down', () => {
  let svc: SpawnedService;
  let src: string;
  after(async () => {
    await svc?.stop();
    if (src) await rm(src, { recursive: true, force: true });
  });

  it('WRONGTYPE on every log flush of a running build: the service keeps serving and the build finishes', async () => {
    src = await sourcesWith(['@i=0; while [ $$i -lt 40 ]; do echo "step $$i"; sleep 0.25; i=$$((i+1)); done', 'mkdir -p kernel_mod && echo x > kernel_mod/kpython.ko']);
    svc = await spawnService({ role: 'all', sources: src });
    const id = await buildAgainstUpload(svc.url);
    const redis = new Redis(svc.redisUrl);
    try {
      for (let i = 0; i < 200; i++) {
        const s = (await (await fetch(`${svc.url}/v1/builds/${id}`)).json()) as { state: string };
        if (s.state === 'running') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1500)); // past the worker's reset of the stream
      await redis.set(`${svc.prefix}:log:${id}`, 'not a stream');
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
      redis.disconnect();
    }
  });
});
