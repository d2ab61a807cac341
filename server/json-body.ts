import { createGunzip, createInflate } from 'node:zlib';
import type { Readable, Transform } from 'node:stream';
import type { RequestHandler } from 'express';
import { KpyError } from '../lib/errors.js';

/**
 * A small JSON body reader with a hard limit that, unlike body-parser, never
 * reads the rest of a refused body (body-parser drains it whole before it
 * answers 413): a declared Content-Length over the limit is refused before a
 * byte is read, a stream that grows past it the moment it does, and the
 * problem handler then closes the connection. gzip and deflate bodies are
 * inflated under the same limit; a broken one is a 400.
 */
export function jsonBody(limit: number): RequestHandler {
  return (req, _res, next) => {
    const tooLarge = () => new KpyError('PAYLOAD_TOO_LARGE', `the body exceeds ${limit} bytes`, { details: { limitBytes: limit } });
    const declared = Number(req.get('content-length') ?? NaN);
    if (declared > limit) return next(tooLarge());
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    let inflate: Transform | undefined;
    if (encoding === 'gzip' || encoding === 'x-gzip') inflate = createGunzip();
    else if (encoding === 'deflate') inflate = createInflate();
    else if (encoding !== 'identity') return next(new KpyError('UNSUPPORTED_MEDIA_TYPE', `content-encoding ${encoding} is not supported (gzip, deflate or none)`));
    const source: Readable = inflate ? req.pipe(inflate) : req;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: KpyError) => {
      if (done) return;
      done = true;
      if (inflate) {
        req.unpipe(inflate);
        inflate.destroy();
      }
      source.off('data', onData);
      if (err) return next(err);
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        req.body = undefined;
        return next();
      }
      try {
        req.body = JSON.parse(text) as unknown;
      } catch {
        return next(new KpyError('BAD_REQUEST', 'the body is not valid JSON'));
      }
      next();
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) return finish(tooLarge());
      chunks.push(c);
    };
    source.on('data', onData);
    source.on('end', () => finish());
    source.on('error', () => finish(new KpyError('BAD_REQUEST', `the body is not valid ${encoding === 'identity' ? 'data' : encoding}`)));
    req.on('close', () => {
      if (!req.complete) finish(new KpyError('BAD_REQUEST', 'the body was interrupted'));
    });
  };
}
