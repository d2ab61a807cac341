import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FinishedViews } from './finished-views.js';
import type { HotArtifacts } from './hot-artifacts.js';
import { requestId } from './request-id.js';
import { sendHeld } from './routes/send-artifact.js';

const STATUS = /^\/v1\/builds\/([0-9a-f]{64})$/;
/** How long a kept status waits for its rev before the full route takes over. */
const REV_WAIT_MS = 1000;
const ARTIFACT = /^\/v1\/builds\/([0-9a-f]{64})\/artifacts\/([\w.-]+)$/;

/**
 * The two reads CI fleets repeat most, answered first, before the request
 * logger and the routers: a sealed module (bytes fixed by the build key,
 * already verified into memory) and the status of a finished build whose
 * record has not changed since its view was kept. Anything else, and
 * anything these cannot answer from memory (not kept yet, record changed,
 * Redis not ready, a lookup error), goes on to the full routes unchanged,
 * which answer exactly as before and keep what may be kept.
 */
export function hotReads(deps: { redis: Redis; views: FinishedViews; hot: HotArtifacts; sealed: ReadonlySet<string>; log: Logger }): RequestHandler {
  const { redis, views, hot, sealed, log } = deps;
  const debug = log.isLevelEnabled('debug');
  const done = (method: string, url: string, status: number) => {
    if (debug) log.debug({ req: { method, url }, res: { statusCode: status }, hot: true }, 'request completed');
  };
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = req.path;
    const a = ARTIFACT.exec(path);
    if (a) {
      const held = sealed.has(a[2] as string) ? hot.get(`${a[1]}/${a[2]}`) : undefined;
      if (!held) return next();
      requestId(req, res);
      sendHeld(req, res, a[2] as string, held, 'immutable');
      done(req.method, req.url, res.statusCode);
      return;
    }
    const s = STATUS.exec(path);
    if (!s || redis.status !== 'ready') return next();
    // Redis may go down while the rev is asked for (its client then holds the
    // command until it is back): after a moment the full route answers
    // instead, and its guard says 503.
    let settled = false;
    const fallThrough = () => {
      if (settled) return;
      settled = true;
      next();
    };
    const timer = setTimeout(fallThrough, REV_WAIT_MS);
    views.current(s[1] as string).then(
      (body) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        if (!body) return next();
        requestId(req, res);
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
        done(req.method, req.url, 200);
      },
      () => {
        clearTimeout(timer);
        fallThrough();
      },
    );
  };
}
