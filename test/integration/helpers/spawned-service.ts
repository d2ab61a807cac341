import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureSigningKeys } from '../../../lib/signing/signing-keys.js';
import { setupRedisUrl } from './setup-redis.js';
import { makeStandInSources } from './stand-in-sources.js';
import { REPO_ROOT } from './test-core.js';

/** What /proc says about a process. */
export interface ProcStats {
  /** user + system CPU seconds */
  cpuSec: number;
  rssMiB: number;
  /** peak RSS */
  hwmMiB: number;
  fds: number;
}

let keysDir: Promise<string> | undefined;

/** A data directory holding generated signing keys, shared by the services of this test process. */
function testKeys(): Promise<string> {
  keysDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kpy-test-keys-'));
    await ensureSigningKeys(dir, {});
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return keysDir;
}

/** Established TCP sockets of a process to a remote port (from /proc: its socket inodes, the netns table). */
export async function socketsTo(pid: number, port: number): Promise<number> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1]) inodes.add(m[1]);
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[2]?.endsWith(`:${hexPort}`) && f[3] === '01' && inodes.has(f[9] ?? '')) n++;
    }
  }
  return n;
}

export async function procStats(pid: number): Promise<ProcStats> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  const fds = (await readdir(`/proc/${pid}/fd`)).length;
  return { cpuSec: ticks / 100, rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024, fds };
}

/**
 * The compiled service (`node dist/server/main.js`) as its own process, on a
 * port the OS picks, isolated like makeTestEnv (own Redis prefix and queue,
 * data directory, worker id, stand-in sources). Its log is kept for asserts.
 */
export interface SpawnedService {
  url: string;
  pid: number;
  prefix: string;
  dataDir: string;
  redisUrl: string;
  child: ChildProcess;
  /** every log line so far (JSON) */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stats(): Promise<ProcStats>;
  /** this service's Redis connections: its TCP sockets to the Redis port (whatever it names them) */
  redisConnections(): Promise<number>;
  /** its connections as CLIENT LIST shows them by name */
  namedRedisConnections(): Promise<number>;
  stop(): Promise<void>;
}

export async function spawnService(
  opts: { role?: 'all' | 'api'; env?: Record<string, string>; sources?: string; /** node's own flags (e.g. --cpu-prof, which NODE_OPTIONS refuses) */ nodeArgs?: string[]; /** another build of the service (a dist directory) */ dist?: string } = {},
): Promise<SpawnedService> {
  const id = randomBytes(4).toString('hex');
  const prefix = `kpytest-${id}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'kpy-svc-'));
  await cp(join(REPO_ROOT, 'data', 'images'), join(dataDir, 'images'), { recursive: true });
  // Signing keys made once per test run (an RSA-4096 key takes seconds on a busy machine).
  await cp(join(await testKeys(), 'keys'), join(dataDir, 'keys'), { recursive: true });
  const sources = opts.sources ?? (await makeStandInSources('ok', `svc-${id}`));
  const redisUrl = opts.env?.KPY_REDIS_URL ?? (await setupRedisUrl());
  // KPY_TEST_DIST runs another build of the service (e.g. the code before a fix) under the same tests.
  const dist = opts.dist ?? process.env.KPY_TEST_DIST ?? join(REPO_ROOT, 'dist');
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(dist, 'server', 'main.js'), `--role=${opts.role ?? 'api'}`], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      KPY_HOST: '127.0.0.1',
      KPY_PORT: '0',
      KPY_REDIS_URL: redisUrl,
      KPY_REDIS_PREFIX: prefix,
      KPY_QUEUE: `builds-${id}`,
      KPY_DATA_DIR: dataDir,
      KPY_CACHE_DIR: join(REPO_ROOT, 'data', 'cache'),
      KPY_SOURCE_DIR: sources,
      KPY_WORKER_ID: `test-${id}`,
      KPY_LOG_LEVEL: 'info',
      KPY_BUILD_MEMORY_MB: '2048',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the test process (a cancelled or failed test skips its after hook).
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (logs.length < 20_000) logs.push(line);
        const m = /"url":"(http:\/\/[^"]+)".*kpython build service listening/.exec(line);
        if (m?.[1]) resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
    void exited.then((e) => reject(new Error(`the service exited (${e.code ?? e.signal}) before listening:\n${logs.join('\n')}`)));
    setTimeout(() => reject(new Error(`the service did not listen within 180 s:\n${logs.join('\n')}`)), 180_000).unref();
  });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const pid = child.pid as number;
  return {
    url,
    pid,
    prefix,
    dataDir,
    redisUrl,
    child,
    logs,
    exited,
    stats: () => procStats(pid),
    redisConnections: () => socketsTo(pid, Number(new URL(redisUrl).port || 6379)),
    async namedRedisConnections() {
      const list = (await redis.client('LIST')) as string;
      return list.split('\n').filter((l) => new RegExp(`name=${prefix}[:\\s]|name=${prefix}$|name=[^ ]*${prefix}`).test(l)).length;
    },
    async stop() {
      process.off('exit', reap);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(t);
      }
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
      await rm(dataDir, { recursive: true, force: true });
      if (!opts.sources) await rm(sources, { recursive: true, force: true });
    },
  };
}
