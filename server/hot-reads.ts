import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FinishedViews } from './finished-views.js';
import type { HotArtifact, HotArtifacts } from './hot-artifacts.js';
import type { ReleaseMemo } from './release-memo.js';
import { requestIdFor } from './request-id.js';
import { contentHeaders, fetchedBuildHeaders, matches, validatorHeaders, type CachePolicy } from './routes/send-artifact.js';

const STATUS = /^\/v1\/builds\/([0-9a-f]{64})$/;
const ARTIFACT = /^\/v1\/builds\/([0-9a-f]{64})\/artifacts\/([\w.-]+)$/;
const CI_FETCH = /^\/v1\/kernels\/([^/?]+)\/kpython\.ko$/;
/** How long a kept status waits for its rev before the full route takes over. */
const REV_WAIT_MS = 1000;
const JSON_TYPE = 'application/json; charset=utf-8';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Answers a request from memory and returns true, or returns false and
 * leaves it untouched; a request it took but then cannot answer from
 * memory after all goes to `full`.
 */
export type HotReads = (req: IncomingMessage, res: ServerResponse, full: Listener) => boolean;

export interface HotReadsDeps {
  redis: Redis;
  views: FinishedViews;
  hot: HotArtifacts;
  /** artifact names whose bytes the build key fixes */
  sealed: ReadonlySet<string>;
  releases: ReleaseMemo;
  log: Logger;
}

/**
 * The three reads CI fleets repeat most, answered on the HTTP server's
 * request event, before express, the request logger and the routers: a
 * sealed module by build key, the same module by release (the CI fetch,
 * while the release's last full answer is fresh: server/release-memo.ts),
 * both from bytes already verified into memory, and the status of a
 * finished build whose record has not changed since its view was kept.
 * Anything else, and anything these cannot answer from memory (not kept
 * yet, a query string, record changed, Redis not ready, a lookup error),
 * goes to the full routes untouched; they answer exactly as before and keep
 * what may be kept. The headers of a held artifact are built once.
 */
export function hotReads(deps: HotReadsDeps): HotReads {
  const { redis, views, hot, sealed, releases, log } = deps;
  const debug = log.isLevelEnabled('debug');
  const done = (req: IncomingMessage, status: number) => {
    if (debug) log.debug({ req: { method: req.method, url: req.url }, res: { statusCode: status }, hot: true }, 'request completed');
  };
  const sendArtifact = (req: IncomingMessage, res: ServerResponse, held: HotArtifact, headers: HeldHeaders) => {
    const id = requestIdFor(req);
    if (matches(header(req, 'if-none-match'), held.sha256)) {
      res.writeHead(304, [...headers.notModified, 'X-Request-Id', id]);
      res.end();
      done(req, 304);
      return true;
    }
    res.writeHead(200, [...headers.ok, 'X-Request-Id', id]);
    res.end(req.method === 'HEAD' ? undefined : held.body);
    done(req, 200);
    return true;
  };

  return (req, res, full) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    const a = ARTIFACT.exec(url);
    if (a) {
      const [, key, name] = a as unknown as [string, string, string];
      const held = sealed.has(name) ? hot.get(`${key}/${name}`) : undefined;
      return held ? sendArtifact(req, res, held, heldHeaders(held, name, 'immutable')) : false;
    }
    const f = CI_FETCH.exec(url);
    if (f) {
      const key = releases.get(f[1] as string);
      const held = key ? hot.get(`${key}/kpython.ko`) : undefined;
      return key && held ? sendArtifact(req, res, held, heldHeaders(held, 'kpython.ko', 'revalidate', key)) : false;
    }
    const s = STATUS.exec(url);
    if (!s || redis.status !== 'ready') return false;
    answerStatus(req, res, s[1] as string, full);
    return true;
  };

  /**
   * The kept view, or the full route: also when the rev does not come in
   * time (Redis may go down while it is asked for; its client then holds
   * the command until it is back, and the full route's guard answers 503).
   */
  function answerStatus(req: IncomingMessage, res: ServerResponse, id: string, full: Listener): void {
    let settled = false;
    const fallThrough = () => {
      if (settled) return;
      settled = true;
      full(req, res);
    };
    const timer = setTimeout(fallThrough, REV_WAIT_MS);
    views.current(id).then(
      (body) => {
        clearTimeout(timer);
        if (settled) return;
        if (!body) return fallThrough();
        settled = true;
        res.writeHead(200, ['Content-Type', JSON_TYPE, 'Content-Length', String(body.length), 'X-Request-Id', requestIdFor(req)]);
        res.end(req.method === 'HEAD' ? undefined : body);
        done(req, 200);
      },
      () => {
        clearTimeout(timer);
        fallThrough();
      },
    );
  }
}

/** The server's request listener: the hot reads first, then `app`. */
export function withHotReads(hot: HotReads, app: Listener): Listener {
  return (req, res) => {
    if (!hot(req, res, app)) app(req, res);
  };
}

interface HeldHeaders {
  ok: string[];
  notModified: string[];
}

/** Header lists per held artifact, computed on first use; they die with the entry. */
const headerCache = new WeakMap<HotArtifact, Map<string, HeldHeaders>>();

function heldHeaders(held: HotArtifact, name: string, cache: CachePolicy, build?: string): HeldHeaders {
  let perUse = headerCache.get(held);
  if (!perUse) headerCache.set(held, (perUse = new Map()));
  const k = `${name}\0${cache}\0${build ?? ''}`;
  let h = perUse.get(k);
  if (!h) {
    const validators = [...(build ? fetchedBuildHeaders(build) : []), ...validatorHeaders(held.sha256, cache)];
    h = { notModified: validators.flat(), ok: [...validators, ...contentHeaders(name, held.body.length)].flat() };
    perUse.set(k, h);
  }
  return h;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
