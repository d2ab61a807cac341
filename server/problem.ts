import type {} from 'pino-http';
import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { ERROR_CODES } from '../lib/error-codes.js';
import { KpyError, toKpyError } from '../lib/errors.js';

export const PROBLEM_TYPE_BASE = 'urn:kpython:problem:';

/** Map anything thrown to a KpyError: the one place where errors get their HTTP meaning. */
export function classify(err: unknown): KpyError {
  if (err instanceof KpyError) return err;
  if (err instanceof ZodError) {
    const detail = err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return new KpyError('VALIDATION_FAILED', detail);
  }
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return new KpyError('BAD_REQUEST', 'the body is not valid JSON');
  if (type === 'entity.too.large') return new KpyError('PAYLOAD_TOO_LARGE', 'the body exceeds the size limit');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new KpyError('UNSUPPORTED_MEDIA_TYPE', (err as Error).message);
  }
  return toKpyError(err);
}

/** RFC 9457 problem details with our stable code. */
export function sendProblem(res: Response, e: KpyError, instance: string): void {
  const def = ERROR_CODES[e.code];
  if (e.code === 'UNAUTHORIZED') res.setHeader('WWW-Authenticate', 'Bearer realm="kpython"');
  res
    .status(def.status)
    .type('application/problem+json')
    .json({
      type: `${PROBLEM_TYPE_BASE}${e.code}`,
      title: def.title,
      status: def.status,
      code: e.code,
      detail: e.message,
      instance,
      ...(e.details ? { details: e.details } : {}),
    });
}

export const problemHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  const e = classify(err);
  if (e.status >= 500) req.log.error({ err, code: e.code }, e.message);
  else req.log.info({ code: e.code }, e.message);
  sendProblem(res, e, String(req.id));
};
