import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cp, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '../../integration/helpers/test-core.js';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A data directory holding the recorded builder images, as `npm run setup` leaves it. */
export async function makeDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kpy-fault-'));
  await cp(join(REPO_ROOT, 'data', 'images'), join(dir, 'images'), { recursive: true });
  return dir;
}

/** The environment of one installation: its own Redis prefix, queue, data directory, worker id and port. */
export function serviceEnv(o: { dataDir: string; sourceDir: string; port: number; redisUrl: string; extra?: Record<string, string> }): Record<string, string> {
  const id = randomBytes(4).toString('hex');
  return {
    KPY_HOST: '127.0.0.1',
    KPY_PORT: String(o.port),
    KPY_REDIS_URL: o.redisUrl,
    KPY_REDIS_PREFIX: `kpyfault-${id}`,
    KPY_QUEUE: `builds-${id}`,
    KPY_DATA_DIR: o.dataDir,
    KPY_CACHE_DIR: join(REPO_ROOT, 'data', 'cache'),
    KPY_SOURCE_DIR: o.sourceDir,
    KPY_WORKER_ID: `fault-${id}`,
    KPY_LOG_LEVEL: 'warn',
    KPY_BUILD_MEMORY_MB: '1024',
    ...o.extra,
  };
}

export interface ServiceProcess {
  proc: ChildProcess;
  url: string;
  /** ms from spawn until /healthz answered */
  upMs: number;
  exited: Promise<number | null>;
  log(): string;
}

/** `npm start` as a supervisor runs it: node dist/server/main.js, up once /healthz answers. */
export async function startService(env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProcess> {
  const t0 = Date.now();
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'server', 'main.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  const url = `http://127.0.0.1:${env.KPY_PORT}`;
  for (;;) {
    const dead = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
    if (dead) throw new Error(`the service exited before it came up (code ${proc.exitCode}):\n${out}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() - t0 > timeoutMs) {
      proc.kill('SIGKILL');
      throw new Error(`the service did not come up in ${timeoutMs} ms:\n${out}`);
    }
  }
  return { proc, url, upMs: Date.now() - t0, exited, log: () => out };
}

export async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export type BuildView = { id: string; state: string; error: { code: string; message: string } | null; trust: string };

export async function buildState(url: string, id: string): Promise<BuildView | undefined> {
  const r = await fetch(`${url}/v1/builds/${id}`, { signal: AbortSignal.timeout(10_000) });
  return r.ok ? ((await r.json()) as BuildView) : undefined;
}

/** Remove an installation's keys from its Redis. */
export async function cleanRedis(env: Record<string, string>): Promise<void> {
  if (!env.KPY_REDIS_URL) throw new Error('cleanRedis: the environment names no Redis');
  const r = new Redis(env.KPY_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${env.KPY_REDIS_PREFIX}:*`, 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
