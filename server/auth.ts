import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { KpyError } from '../lib/errors.js';

/** Does the request carry one of the tokens (always true when none are configured)? */
export function hasToken(req: Request, tokens: readonly string[]): boolean {
  if (tokens.length === 0) return true;
  const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  const given = Buffer.from(m?.[1] ?? '');
  return tokens.some((t) => {
    const k = Buffer.from(t);
    return k.length === given.length && timingSafeEqual(k, given);
  });
}

/** Writes (anything that can start a build) need `Authorization: Bearer <token>` once tokens are configured. */
export function requireToken(tokens: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    next(hasToken(req, tokens) ? undefined : new KpyError('UNAUTHORIZED', 'a valid bearer token is required for this request'));
  };
}
