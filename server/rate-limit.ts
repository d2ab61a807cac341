import type { RequestHandler } from 'express';
import { KpyError } from '../lib/errors.js';

/**
 * A token bucket per client address: `perMinute` requests, refilled
 * continuously. The map is bounded: it keeps clients in order of last use
 * and, when full, forgets the least recently seen one (whose bucket had the
 * longest to refill), never everyone at once.
 */
export function rateLimit(perMinute: number, maxClients = 10_000): RequestHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (req, res, next) => {
    const key = req.ip ?? 'unknown';
    const now = Date.now();
    const b = buckets.get(key) ?? { tokens: perMinute, at: now };
    b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) / 60_000) * perMinute);
    b.at = now;
    // Re-insert: Map order is insertion order, so the first key is the least recently used.
    buckets.delete(key);
    buckets.set(key, b);
    while (buckets.size > maxClients) {
      const oldest = buckets.keys().next().value as string;
      buckets.delete(oldest);
    }
    if (b.tokens < 1) {
      res.setHeader('Retry-After', String(Math.ceil(((1 - b.tokens) * 60) / perMinute)));
      return next(new KpyError('RATE_LIMITED', `more than ${perMinute} write requests per minute from ${key}`));
    }
    b.tokens -= 1;
    next();
  };
}
