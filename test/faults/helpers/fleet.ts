import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { S3ObjectStore } from '../../../lib/store/s3-object-store.js';
import { REPO_ROOT } from '../../integration/helpers/test-core.js';

/** The loopback Swift that setup starts (scripts/start-swift.sh); KPY_TEST_S3_ENDPOINT points elsewhere. */
export const TEST_S3 = {
  endpoint: process.env.KPY_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:8790',
  accessKeyId: process.env.KPY_TEST_S3_ACCESS_KEY ?? 'test:tester',
  secretAccessKey: process.env.KPY_TEST_S3_SECRET ?? 'testing',
};

/** The environment that points a process at one bucket of the test S3. */
export function s3Env(bucket: string): Record<string, string> {
  return {
    KPY_STORE: 's3',
    KPY_S3_ENDPOINT: TEST_S3.endpoint,
    KPY_S3_BUCKET: bucket,
    AWS_ACCESS_KEY_ID: TEST_S3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_S3.secretAccessKey,
  };
}

export function testBucket(bucket: string): S3ObjectStore {
  return new S3ObjectStore({
    bucket,
    region: 'us-east-1',
    endpoint: TEST_S3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: TEST_S3.accessKeyId, secretAccessKey: TEST_S3.secretAccessKey },
  });
}

/** Empty a test bucket (the bucket itself stays: Swift keeps an empty container cheaply). */
export async function emptyBucket(objects: S3ObjectStore): Promise<number> {
  const keys = await objects.list('');
  for (const k of keys) await objects.delete(k);
  return keys.length;
}

export interface FleetProcess {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  log(): string;
}

/**
 * One process of the fleet, as its host would run it: `node dist/server/main.js --role=api`
 * or `node dist/worker/main.js` (npm run start:worker), up once `ready` shows in its log.
 */
export async function startFleetProcess(name: string, role: 'api' | 'worker', env: Record<string, string>, ready: RegExp, o: { logFile?: string; timeoutMs?: number } = {}): Promise<FleetProcess> {
  const timeoutMs = o.timeoutMs ?? 180_000;
  // Written as it comes, so a hung test can be looked into while it runs.
  const file = o.logFile ? createWriteStream(o.logFile, { flags: 'a' }) : undefined;
  const args = role === 'api' ? [join(REPO_ROOT, 'dist', 'server', 'main.js'), '--role=api'] : [join(REPO_ROOT, 'dist', 'worker', 'main.js')];
  const proc = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const take = (c: Buffer) => {
    out += c.toString();
    file?.write(c);
  };
  proc.stdout?.on('data', take);
  proc.stderr?.on('data', take);
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  const t0 = Date.now();
  while (!ready.test(out)) {
    const dead = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
    if (dead) throw new Error(`${name} exited before it was ready (code ${proc.exitCode}):\n${out}`);
    if (Date.now() - t0 > timeoutMs) {
      proc.kill('SIGKILL');
      throw new Error(`${name} was not ready in ${timeoutMs} ms:\n${out}`);
    }
  }
  return { name, proc, exited, log: () => out };
}

export async function stopFleetProcess(p: FleetProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill(signal);
  const done = await Promise.race([p.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 40_000))]);
  if (!done) p.proc.kill('SIGKILL');
}
