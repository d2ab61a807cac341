import type {} from 'pino-http';
import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../lib/error-codes.js';
import { KpyError, toKpyError } from '../lib/errors.js';

export const PROBLEM_TYPE_BASE = 'urn:kpython:problem:';

/** Client errors raised by express, body-parser and friends (http-errors), by status. */
const HTTP_ERROR_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Map anything thrown to a KpyError: the one place where errors get their HTTP meaning. */
export function classify(err: unknown): KpyError {
  if (err instanceof KpyError) return err;
  if (err instanceof ZodError) {
    const detail = err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return new KpyError('VALIDATION_FAILED', detail);
  }
  const e = err as { type?: string; status?: unknown; statusCode?: unknown; expose?: unknown; message?: string } | null;
  const type = e?.type;
  if (type === 'entity.parse.failed') return new KpyError('BAD_REQUEST', 'the body is not valid JSON');
  if (type === 'entity.too.large') return new KpyError('PAYLOAD_TOO_LARGE', 'the body exceeds the size limit');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new KpyError('UNSUPPORTED_MEDIA_TYPE', String(e?.message));
  }
  // Any other client error of the HTTP layer: a bad gzip body, bad percent-encoding in the path, an aborted body.
  const status = Number(e?.status ?? e?.statusCode);
  if (status >= 400 && status < 500) {
    const message = e?.expose === true && e.message ? e.message : 'the request cannot be read';
    return new KpyError(HTTP_ERROR_CODES[status] ?? 'BAD_REQUEST', message, { cause: err });
  }
  return toKpyError(err);
}

/**
 * RFC 9457 problem details with our stable code. A server error's message
 * may name paths, mirrors or hosts: 5xx bodies carry only the code, its
 * title and the request id to look the details up in the server log.
 */
export function sendProblem(res: Response, e: KpyError, instance: string): void {
  const def = ERROR_CODES[e.code];
  if (e.code === 'UNAUTHORIZED') res.setHeader('WWW-Authenticate', 'Bearer realm="kpython"');
  const server = def.status >= 500;
  res
    .status(def.status)
    .type('application/problem+json')
    .setHeader('Cache-Control', 'no-store')
    .json({
      type: `${PROBLEM_TYPE_BASE}${e.code}`,
      title: def.title,
      status: def.status,
      code: e.code,
      detail: server ? `${def.title}; the server log has the details under request id ${instance}` : e.message,
      instance,
      retryable: def.retryable,
      ...(!server && e.details ? { details: e.details } : {}),
    });
}

/** What a refused request may still send after its answer, before its connection is closed. */
const LINGER_BYTES = 256 * 1024 * 1024;
const LINGER_MS = 5000;

/**
 * A refused request whose body is still coming: the answer goes out now,
 * then our side of the connection is closed (FIN) while the rest of the
 * body is read and discarded, for at most LINGER_MS or LINGER_BYTES; then
 * the connection is dropped. Dropping it at once would reset it under a
 * client still sending, which then often never reads the answer; reading on
 * would let it send without end.
 */
function lingerThenClose(req: Parameters<ErrorRequestHandler>[1], res: Parameters<ErrorRequestHandler>[2]): void {
  const sock = req.socket;
  let read = 0;
  const cut = () => {
    if (!sock.destroyed) sock.destroy();
  };
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  req.on('data', (c: Buffer) => {
    read += c.length;
    if (read > LINGER_BYTES) cut();
  });
  sock.once('close', () => clearTimeout(timer));
  res.once('finish', () => sock.end());
  req.resume();
}

export const problemHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) {
    req.log.warn({ err }, 'error after the response started');
    return next(err);
  }
  const e = classify(err);
  if (e.status >= 500) req.log.error({ err, code: e.code, reqId: req.id }, e.message);
  else req.log.info({ code: e.code }, e.message);
  if (!req.complete) lingerThenClose(req, res);
  sendProblem(res, e, String(req.id));
};
