import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { KpyError } from '../lib/errors.js';

/**
 * A worker's claim on its id. Orphan reaping removes every container
 * labelled with the worker's id, so two live workers must never share one:
 * the second would remove the first's running builds. The lease is a Redis
 * key with a random token and a short expiry, renewed while the worker
 * lives; a crashed worker's lease expires and its successor (same id) then
 * reaps what it left.
 */
export interface WorkerLease {
  release(): Promise<void>;
}

const TTL_MS = 30_000;
const RENEW_MS = 10_000;

/** Renew or release only while the key still holds our token. */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export async function acquireWorkerLease(redis: Redis, prefix: string, workerId: string): Promise<WorkerLease> {
  const key = `${prefix}:worker-lease:${workerId}`;
  const token = randomBytes(16).toString('hex');
  const ok = await redis.set(key, token, 'PX', TTL_MS, 'NX');
  if (ok !== 'OK') {
    throw new KpyError(
      'WORKER_ID_IN_USE',
      `another live worker uses the id "${workerId}"; give each worker its own KPY_WORKER_ID`,
      { details: { workerId } },
    );
  }
  const timer = setInterval(() => {
    redis.eval(RENEW, 1, key, token, String(TTL_MS)).catch(() => undefined);
  }, RENEW_MS);
  timer.unref();
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= (async () => {
        clearInterval(timer);
        await redis.eval(RELEASE, 1, key, token);
      })();
      return released;
    },
  };
}
