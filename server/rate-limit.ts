import type { RequestHandler } from 'express';
import { KpyError } from '../lib/errors.js';

/** A token bucket per client address: `perMinute` requests, refilled continuously. */
export function rateLimit(perMinute: number): RequestHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (req, res, next) => {
    const key = req.ip ?? 'unknown';
    const now = Date.now();
    const b = buckets.get(key) ?? { tokens: perMinute, at: now };
    b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) / 60_000) * perMinute);
    b.at = now;
    buckets.set(key, b);
    if (buckets.size > 10_000) buckets.clear();
    if (b.tokens < 1) {
      res.setHeader('Retry-After', String(Math.ceil(((1 - b.tokens) * 60) / perMinute)));
      return next(new KpyError('RATE_LIMITED', `more than ${perMinute} write requests per minute from ${key}`));
    }
    b.tokens -= 1;
    next();
  };
}
