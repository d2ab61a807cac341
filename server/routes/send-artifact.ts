import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { sha256File } from '../../lib/sha256.js';
import type { HotArtifact, HotArtifacts } from '../hot-artifacts.js';

const TYPES: Record<string, string> = {
  'provenance.json': 'application/vnd.dsse.envelope.v1+json',
  'build.log': 'text/plain; charset=utf-8',
};

/**
 * How a URL may be cached: `immutable` only where the bytes behind the URL
 * can never change (an artifact of a succeeded build, addressed by its build
 * key); `revalidate` where they can (the CI fetch by release, the log of a
 * failed build that a retry replaces): caches keep it but ask again, and
 * the ETag makes asking cheap (304).
 */
export type CachePolicy = 'immutable' | 'revalidate';

const CACHE_CONTROL: Record<CachePolicy, string> = {
  immutable: 'public, max-age=31536000, immutable',
  revalidate: 'no-cache',
};

/** Where a route may keep and find artifact bytes in memory (server/hot-artifacts.ts). */
export interface HotSlot {
  cache: HotArtifacts;
  /** names the bytes: the build key and artifact name, plus the digest unless the key alone fixes them */
  key: string;
}

/**
 * Send a stored file with ETag = its sha256 (and answer 304 to a matching
 * If-None-Match). `known` is the digest recorded at store time; without it
 * the file is hashed. With a `hot` slot the bytes come from memory once
 * they have been read (and checked against `known`) there; otherwise the
 * file is streamed and its descriptor closed also when the client goes
 * away mid-download.
 */
export async function sendArtifact(
  req: Request,
  res: Response,
  path: string,
  name: string,
  known: { sha256: string; size: number } | undefined,
  cache: CachePolicy,
  hot?: HotSlot,
): Promise<void> {
  const { sha256, size } = known ?? (await sha256File(path));
  if (!sendHeaders(req, res, name, sha256, size, cache)) return;
  const held = known && hot ? await hot.cache.load(hot.key, path, known) : undefined;
  if (held) {
    res.end(held.body);
    return;
  }
  await streamFile(path, res);
}

/** The headers every answer about an artifact carries (the 304 too). */
export function validatorHeaders(sha256: string, cache: CachePolicy): [string, string][] {
  return [
    ['ETag', `"${sha256}"`],
    ['Cache-Control', CACHE_CONTROL[cache]],
    ['Digest', `sha-256=${Buffer.from(sha256, 'hex').toString('base64')}`],
  ];
}

/** What the CI fetch by release adds: the build its bytes come from. */
export function fetchedBuildHeaders(key: string): [string, string][] {
  return [
    ['X-Kpython-Build', key],
    ['Link', `</v1/builds/${key}>; rel="build"`],
  ];
}

/** The headers of the artifact's bytes (200 and HEAD). */
export function contentHeaders(name: string, size: number): [string, string][] {
  return [
    ['Content-Type', TYPES[name] ?? 'application/octet-stream'],
    ['Content-Length', String(size)],
    ['Content-Disposition', `attachment; filename="${name}"`],
  ];
}

/** The headers of an artifact; false when they are the whole answer (304, HEAD). */
function sendHeaders(req: Request, res: Response, name: string, sha256: string, size: number, cache: CachePolicy): boolean {
  for (const [k, v] of validatorHeaders(sha256, cache)) res.setHeader(k, v);
  if (matches(req.get('if-none-match'), sha256)) {
    res.status(304).end();
    return false;
  }
  for (const [k, v] of contentHeaders(name, size)) res.setHeader(k, v);
  if (req.method === 'HEAD') {
    res.end();
    return false;
  }
  return true;
}

/** Pipe a file into the response; a client that leaves early is no error, and the file is closed either way. */
export async function streamFile(path: string, res: Response): Promise<void> {
  try {
    await pipeline(createReadStream(path), res);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || res.destroyed) return;
    throw err;
  }
}

/** If-None-Match: `*`, or a list of (weak or strong) entity tags. */
export function matches(header: string | undefined, sha256: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === `"${sha256}"`);
}
