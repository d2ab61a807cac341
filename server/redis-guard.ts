import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { KpyError } from '../lib/errors.js';
import { sendProblem } from './problem.js';

const unavailable = () => new KpyError('SERVICE_UNAVAILABLE', 'the build queue (Redis) is not reachable; try again shortly');

/**
 * While Redis is down, its client queues commands until it is back, so a
 * request would hang. This answers 503 SERVICE_UNAVAILABLE at once when the
 * connection is known down, and after `waitMs` when a request is still
 * unanswered and the connection went down meanwhile. Streams that already
 * sent their headers (SSE, downloads) are left alone.
 */
export function redisGuard(redis: Redis, waitMs = 3000): RequestHandler {
  return (req, res, next) => {
    if (redis.status !== 'ready') {
      res.setHeader('Retry-After', '5');
      next(unavailable());
      return;
    }
    const timer = setTimeout(() => {
      if (res.headersSent || redis.status === 'ready') return;
      res.setHeader('Retry-After', '5');
      sendProblem(res, unavailable(), String(req.id));
    }, waitMs);
    timer.unref();
    res.on('close', () => clearTimeout(timer));
    res.on('finish', () => clearTimeout(timer));
    next();
  };
}
