import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { KpyError } from '../lib/errors.js';
import { mayBeAlive, selfIdentity, type ProcessIdentity } from '../lib/process-identity.js';

/**
 * A worker's claim on its id. Orphan reaping removes every container
 * labelled with the worker's id, so two live workers must never share one:
 * the second would remove the first's running builds. The lease is a Redis
 * key with a short expiry, renewed while the worker lives, whose value names
 * the holder (host, pid, pid start time). A successor on the same host whose
 * predecessor is dead (SIGKILL, crash) takes the lease over at once, so a
 * supervisor's immediate restart comes up; a live holder, or one on another
 * host, keeps it until it expires.
 */
export interface WorkerLease {
  /** the dead holder this lease was taken over from, if any */
  readonly tookOverFrom: ProcessIdentity | undefined;
  release(): Promise<void>;
}

const TTL_MS = 30_000;
const RENEW_MS = 10_000;

/** Renew or release only while the key still holds our value. */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/** Take over only the exact value found dead, so two successors cannot both win. */
const TAKE_OVER = "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end";

type Holder = ProcessIdentity & { token: string };

function parseHolder(value: string | null): Holder | undefined {
  try {
    const h = JSON.parse(value ?? '') as Partial<Holder>;
    return typeof h.host === 'string' && typeof h.pid === 'number' && typeof h.token === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireWorkerLease(redis: Redis, prefix: string, workerId: string): Promise<WorkerLease> {
  const key = `${prefix}:worker-lease:${workerId}`;
  const value = JSON.stringify({ token: randomBytes(16).toString('hex'), ...selfIdentity() });
  let tookOverFrom: ProcessIdentity | undefined;
  if ((await redis.set(key, value, 'PX', TTL_MS, 'NX')) !== 'OK') {
    const found = await redis.get(key);
    const holder = parseHolder(found);
    const dead = holder !== undefined && !mayBeAlive(holder);
    if (found !== null && dead && (await redis.eval(TAKE_OVER, 1, key, found, value, String(TTL_MS))) === 1) {
      tookOverFrom = { host: holder.host, pid: holder.pid, start: holder.start };
    } else if (found !== null || (await redis.set(key, value, 'PX', TTL_MS, 'NX')) !== 'OK') {
      throw new KpyError(
        'WORKER_ID_IN_USE',
        `another live worker uses the id "${workerId}"${holder ? ` (pid ${holder.pid} on ${holder.host})` : ''}; give each worker its own KPY_WORKER_ID`,
        { details: { workerId, ...(holder ? { holder: { host: holder.host, pid: holder.pid } } : {}) } },
      );
    }
  }
  const timer = setInterval(() => {
    redis.eval(RENEW, 1, key, value, String(TTL_MS)).catch(() => undefined);
  }, RENEW_MS);
  timer.unref();
  let released: Promise<void> | undefined;
  return {
    tookOverFrom,
    release() {
      released ??= (async () => {
        clearInterval(timer);
        await redis.eval(RELEASE, 1, key, value);
      })();
      return released;
    },
  };
}
