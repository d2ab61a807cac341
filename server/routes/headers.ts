import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { Router, type Request, type RequestHandler } from 'express';
import type { Core } from '../../lib/core.js';
import { KpyError } from '../../lib/errors.js';
import { HEADERS_ID_RE, type UploadedHeaders } from '../../lib/headers/headers-meta.js';
import { dropScratch, ingestHeaders, type ReceivedUpload } from '../../lib/headers/ingest.js';
import { requireToken } from '../auth.js';

const SINGLE_TYPES = new Set([
  'application/x-tar',
  'application/tar',
  'application/gzip',
  'application/x-gzip',
  'application/tar+gzip',
  'application/x-compressed-tar',
  'application/vnd.debian.binary-package',
  'application/x-debian-package',
  'application/octet-stream',
]);
const MAX_PARTS = 16;

/**
 * POST /v1/headers: a tar or tar.gz of a kernel build directory, one
 * linux-headers .deb, or several .deb files as multipart/form-data. The body
 * goes to a scratch file (size-limited, hashed), is validated as untrusted
 * input and stored content-addressed; GET /v1/headers/{id} shows what was
 * found.
 */
export function headersRouter(core: Core, writes: RequestHandler): Router {
  const r = Router();
  const { config } = core;
  void core.headers.sweep().catch(() => undefined);

  r.post('/v1/headers', requireToken(config.http.tokens), writes, async (req, res) => {
    const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== 'multipart/form-data' && !SINGLE_TYPES.has(type)) {
      throw new KpyError('UNSUPPORTED_MEDIA_TYPE', 'send application/x-tar, application/gzip (tar.gz), application/vnd.debian.binary-package, or several .deb files as multipart/form-data');
    }
    const limit = config.uploads.maxBytes;
    const declared = Number(req.get('content-length') ?? NaN);
    if (declared > limit) throw tooLarge(limit);
    const scratch = await core.headers.scratch();
    try {
      const upload = type === 'multipart/form-data' ? await receiveMultipart(req, scratch, limit) : await receiveBody(req, join(scratch, 'body'), limit);
      const { headers, created, validationMs } = await ingestHeaders(upload, {
        store: core.headers,
        scratch,
        limits: { maxExpandedBytes: config.uploads.maxExpandedBytes, maxRatio: config.uploads.maxRatio, maxFiles: config.uploads.maxFiles },
      });
      req.log.info({ headers: headers.id.slice(0, 12), release: headers.release, created, ms: Math.round(validationMs) }, 'headers uploaded');
      res
        .status(created ? 201 : 200)
        .location(`/v1/headers/sha256:${headers.id}`)
        .json({ ...headersView(headers), created, validationMs: Math.round(validationMs) });
    } finally {
      await dropScratch(scratch);
    }
  });

  r.get('/v1/headers/:id', async (req, res) => {
    const m = HEADERS_ID_RE.exec(String(req.params.id));
    const h = m?.[1] ? await core.headers.get(m[1]) : undefined;
    if (!h) throw new KpyError('HEADERS_NOT_FOUND', `no uploaded headers ${String(req.params.id)}`);
    res.json(headersView(h));
  });

  return r;
}

export function headersView(h: UploadedHeaders): Record<string, unknown> {
  return {
    id: `sha256:${h.id}`,
    release: h.release,
    arch: h.arch,
    compiler: h.compiler,
    layout: h.layout,
    kdir: h.kdir,
    files: h.files,
    bytes: h.bytes,
    upload: h.upload,
    createdAt: h.createdAt,
    links: { self: `/v1/headers/sha256:${h.id}`, build: { method: 'POST', href: '/v1/builds', body: { headers: `sha256:${h.id}` } } },
  };
}

function tooLarge(limit: number): KpyError {
  return new KpyError('PAYLOAD_TOO_LARGE', `the upload exceeds ${Math.round(limit / 1048576)} MiB; upload the kernel build directory only (kernel headers compress to a few dozen MiB)`, {
    details: { limitBytes: limit },
  });
}

/** A byte counter and hasher that fails past `limit`. */
function meter(limit: number, total: { bytes: number }, hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total.bytes += chunk.length;
      if (total.bytes > limit) return cb(tooLarge(limit));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
}

function receiveBody(req: Request, file: string, limit: number): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const out = createWriteStream(file);
    let bytes = 0;
    let done = false;
    const fail = (err: KpyError) => {
      if (done) return;
      done = true;
      out.destroy();
      reject(err);
    };
    out.on('error', (err) => fail(new KpyError('INTERNAL', `cannot write the upload: ${err.message}`, { cause: err })));
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > limit) return fail(tooLarge(limit));
      hash.update(chunk);
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('close', () => {
      if (!req.complete) fail(new KpyError('BAD_REQUEST', 'the upload was interrupted'));
    });
    req.on('error', (err) => fail(new KpyError('BAD_REQUEST', `the upload was interrupted: ${err.message}`)));
    req.on('end', () => {
      if (done) return;
      done = true;
      out.end(() => resolve({ files: [{ path: file, bytes }], sha256: hash.digest('hex'), bytes }));
    });
  });
}

/**
 * Each file part to its own scratch file; the digest covers all parts in
 * order. The promise always settles: on the first failure (a part or the
 * sum over the limit, too many parts, a broken body, the client gone) busboy
 * is unpiped and destroyed, every part stream is ended and its file closed,
 * and then it rejects, so the caller answers at once and removes the scratch
 * directory.
 */
function receiveMultipart(req: Request, scratch: string, limit: number): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // fileSize one past the limit: busboy truncates silently at fileSize; the meter turns "over" into 413.
      bb = busboy({ headers: req.headers, limits: { files: MAX_PARTS, fields: 8, fileSize: limit + 1 } });
    } catch (err) {
      reject(new KpyError('BAD_REQUEST', `bad multipart request: ${(err as Error).message}`));
      return;
    }
    const hash = createHash('sha256');
    const total = { bytes: 0 };
    const files: { path: string; bytes: number }[] = [];
    const writes: Promise<void>[] = [];
    const parts = new Set<Readable>();
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      req.off('close', onClose);
      for (const p of parts) p.destroy();
      bb.destroy();
      void Promise.allSettled(writes).then(() => reject(err));
    };
    const onClose = () => {
      if (!req.complete) fail(new KpyError('BAD_REQUEST', 'the upload was interrupted'));
    };
    req.on('close', onClose);
    bb.on('file', (_name, stream: Readable) => {
      if (settled) {
        stream.resume();
        return;
      }
      parts.add(stream);
      const path = join(scratch, `part-${files.length}`);
      const entry = { path, bytes: 0 };
      files.push(entry);
      const before = total.bytes;
      writes.push(
        pipeline(stream, meter(limit, total, hash), createWriteStream(path))
          .then(() => {
            entry.bytes = total.bytes - before;
          })
          .catch((err: unknown) => fail(err instanceof KpyError ? err : new KpyError('BAD_REQUEST', `the upload was interrupted: ${(err as Error).message}`)))
          .finally(() => parts.delete(stream)),
      );
    });
    bb.on('filesLimit', () => fail(new KpyError('HEADERS_ARCHIVE_INVALID', `more than ${MAX_PARTS} files in one upload`)));
    bb.on('error', (err) => fail(new KpyError('BAD_REQUEST', `bad multipart request: ${(err as Error).message}`)));
    bb.on('close', () => {
      void Promise.allSettled(writes).then(() => {
        if (settled) return;
        settled = true;
        req.off('close', onClose);
        if (files.length === 0) return reject(new KpyError('HEADERS_ARCHIVE_INVALID', 'the multipart upload holds no file'));
        resolve({ files, sha256: hash.digest('hex'), bytes: total.bytes });
      });
    });
    req.pipe(bb);
  });
}
