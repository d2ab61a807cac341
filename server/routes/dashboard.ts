import { Router, type Request, type Response } from 'express';
import type { Asset, DashboardAssets } from '../dashboard/assets.js';

/** Same-origin everything; no inline script or style, no framing. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(req: Request, res: Response, a: Asset, cacheControl: string): void {
  res.setHeader('Content-Type', a.type);
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', a.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const inm = req.get('if-none-match');
  if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === a.etag)) {
    res.status(304).end();
    return;
  }
  const accepts = req.get('accept-encoding') ?? '';
  const [body, encoding] = /\bbr\b/.test(accepts) ? [a.br, 'br'] : /\bgzip\b/.test(accepts) ? [a.gzip, 'gzip'] : [a.identity, undefined];
  if (encoding) res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', String(body.length));
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The dashboard: `/` and `/builds/<id>` are one static page whose script
 * reads the public API (reads need no token, so the dashboard works wherever
 * the API is readable); its assets live under a content-hashed prefix.
 */
export function dashboardRouter(assets: DashboardAssets): Router {
  const r = Router();
  const page = (req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Referrer-Policy', 'no-referrer');
    send(req, res, assets.index, 'no-cache');
  };
  r.get('/', page);
  r.get(/^\/builds\/[0-9a-f]{64}\/?$/, page);
  r.get('/assets/:version/:name', (req, res, next) => {
    const a = req.params.version === assets.version ? assets.files.get(String(req.params.name)) : undefined;
    if (!a) {
      next();
      return;
    }
    send(req, res, a, 'public, max-age=31536000, immutable');
  });
  return r;
}
