import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { checkExposure, loadConfig } from '../../lib/config.js';
import { runCommand } from '../../lib/run-command.js';
import { setupRedisUrl } from './helpers/setup-redis.js';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { REPO_ROOT } from './helpers/test-core.js';

/** Run the compiled service with `env` until it exits (or 30 s): its exit code and output. */
async function runService(env: Record<string, string>, dataDir: string): Promise<{ code: number | null; out: string }> {
  const redisUrl = await setupRedisUrl();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'server', 'main.js'), '--role=api'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KPY_DATA_DIR: dataDir, KPY_REDIS_URL: redisUrl, KPY_PORT: '0', KPY_CACHE_DIR: join(REPO_ROOT, 'data', 'cache'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('safe defaults at start-up', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpy-start-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a non-loopback address without tokens, with a clear message (nothing is bound)', async () => {
    const { code, out } = await runService({ KPY_HOST: '0.0.0.0' }, join(dir, 'd1'));
    assert.equal(code, 1, out);
    assert.match(out, /refusing to serve 0\.0\.0\.0 without tokens.*KPY_TOKENS.*KPY_ALLOW_UNAUTHENTICATED=1/s);
    assert.doesNotThrow(() => checkExposure({ host: '0.0.0.0', tokens: [], allowUnauthenticated: true } as never));
    assert.doesNotThrow(() => checkExposure({ host: '0.0.0.0', tokens: ['t'], allowUnauthenticated: false } as never));
    assert.doesNotThrow(() => checkExposure({ host: '127.0.0.1', tokens: [], allowUnauthenticated: false } as never));
    assert.throws(() => checkExposure({ host: '::', tokens: [], allowUnauthenticated: false } as never));
  });

  it('a module-signing certificate without its key: refuses to start and leaves the certificate alone', async () => {
    const cert = join(dir, 'fleet.crt');
    const r = await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'fleet.key'), '-out', cert, '-subj', '/CN=fleet', '-days', '1']);
    assert.equal(r.code, 0, r.stderr);
    const before = await readFile(cert);
    const src = await makeStandInSources('ok', 'cert');
    const { code, out } = await runService({ KPY_MODULE_SIGNING_CERT: cert, KPY_SOURCE_DIR: src }, join(dir, 'd2'));
    await rm(src, { recursive: true, force: true });
    assert.equal(code, 1, out);
    assert.match(out, /KPY_MODULE_SIGNING_CERT is set .* but KPY_MODULE_SIGNING_KEY is not/);
    assert.ok((await readFile(cert)).equals(before), 'the certificate is unchanged');
  });
});

describe('setup starts Redis with a password the service uses by default', () => {
  let dir: string;
  const mine: number[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpy-redis-'));
  });
  after(async () => {
    // Only the instances this test started (by their ports).
    for (const port of mine) {
      const pw = await readFile(join(dir, `data-${port}`, 'redis.password'), 'utf8').catch(() => '');
      await runCommand('sh', ['-c', `REDISCLI_AUTH="$1" redis-cli --no-auth-warning -p ${port} shutdown nosave`, 'sh', pw.trim()]);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('password in the data directory (0600), required by Redis, used by the service unless KPY_REDIS_URL says otherwise', async () => {
    const port = await freePort();
    mine.push(port);
    const data = join(dir, `data-${port}`);
    const r = await runCommand('env', [`KPY_REDIS_PORT=${port}`, `KPY_REDIS_DIR=${join(dir, `redis-${port}`)}`, `KPY_DATA_DIR=${data}`, 'sh', join(REPO_ROOT, 'scripts', 'start-redis.sh')]);
    assert.equal(r.code, 0, r.stderr);
    const pwFile = join(data, 'redis.password');
    assert.equal((await stat(pwFile)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, `redis-${port}`, 'redis.conf'))).mode & 0o777, 0o600);
    const anon = await runCommand('redis-cli', ['-p', String(port), 'ping']);
    assert.match(anon.stdout.toString(), /NOAUTH/);
    const config = await loadConfig({ KPY_DATA_DIR: data, KPY_REDIS_PORT: String(port) });
    const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    assert.equal(await redis.ping(), 'PONG');
    redis.disconnect();
    const overridden = await loadConfig({ KPY_DATA_DIR: data, KPY_REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(overridden.redis.url, 'redis://127.0.0.1:1');
    // Running it again finds its own instance.
    const again = await runCommand('env', [`KPY_REDIS_PORT=${port}`, `KPY_REDIS_DIR=${join(dir, `redis-${port}`)}`, `KPY_DATA_DIR=${data}`, 'sh', join(REPO_ROOT, 'scripts', 'start-redis.sh')]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already running/);
    // A password file others can read is refused.
    const loose = join(dir, 'loose-data');
    await runCommand('mkdir', ['-p', loose]);
    await writeFile(join(loose, 'redis.password'), 'x', { mode: 0o644 });
    await assert.rejects(loadConfig({ KPY_DATA_DIR: loose }), /readable by others/);
  });

  it('an older setup\'s password-less Redis is kept running and reported, not restarted', async () => {
    const port = await freePort();
    mine.push(port);
    const rdir = join(dir, `old-${port}`);
    await runCommand('mkdir', ['-p', rdir]);
    const s = await runCommand('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', rdir, '--daemonize', 'yes', '--save', '']);
    assert.equal(s.code, 0, s.stderr);
    for (let i = 0; i < 40 && !/PONG/.test((await runCommand('redis-cli', ['-p', String(port), 'ping'])).stdout.toString()); i++) await new Promise((r) => setTimeout(r, 100));
    const data = join(dir, `data-${port}`);
    const r = await runCommand('env', [`KPY_REDIS_PORT=${port}`, `KPY_REDIS_DIR=${rdir}`, `KPY_DATA_DIR=${data}`, 'sh', join(REPO_ROOT, 'scripts', 'start-redis.sh')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /without a password \(started by an older setup\)/);
    assert.match((await runCommand('redis-cli', ['-p', String(port), 'ping'])).stdout.toString(), /PONG/, 'still serving its clients');
    const config = await loadConfig({ KPY_DATA_DIR: data, KPY_REDIS_PORT: String(port) });
    assert.equal(config.redis.url, `redis://127.0.0.1:${port}`, 'no password to send');
  });
});
