import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { KpyError } from './errors.js';

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Run `fn` while holding a Redis lock shared by every process of the
 * service: check-then-act sequences (count the queue, then add) become
 * atomic across API processes. The lock expires by itself after `ttlMs` if
 * its holder dies.
 */
export async function withRedisMutex<T>(redis: Redis, key: string, fn: () => Promise<T>, opts: { ttlMs?: number; waitMs?: number } = {}): Promise<T> {
  const ttlMs = opts.ttlMs ?? 10_000;
  const until = Date.now() + (opts.waitMs ?? 10_000);
  const token = randomBytes(12).toString('hex');
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK') break;
    if (Date.now() > until) throw new KpyError('SERVICE_UNAVAILABLE', 'the build queue is busy; try again');
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
