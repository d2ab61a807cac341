import { createReadStream } from 'node:fs';
import type { Request, Response } from 'express';
import { sha256File } from '../../lib/sha256.js';

const TYPES: Record<string, string> = {
  'provenance.json': 'application/vnd.dsse.envelope.v1+json',
  'build.log': 'text/plain; charset=utf-8',
};

/**
 * Send a stored file with ETag = its sha256 (and answer 304 to a matching
 * If-None-Match). `known` is the digest recorded at store time; without it
 * the file is hashed.
 */
export async function sendArtifact(
  req: Request,
  res: Response,
  path: string,
  name: string,
  known?: { sha256: string; size: number },
): Promise<void> {
  const { sha256, size } = known ?? (await sha256File(path));
  const etag = `"${sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  res.setHeader('Digest', `sha-256=${Buffer.from(sha256, 'hex').toString('base64')}`);
  if (req.get('if-none-match') === etag) {
    res.status(304).end();
    return;
  }
  res.type(TYPES[name] ?? 'application/octet-stream');
  res.setHeader('Content-Length', String(size));
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const s = createReadStream(path);
    s.on('error', reject);
    res.on('finish', resolve);
    res.on('close', resolve);
    s.pipe(res);
  });
}
