import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ResolvedPackage } from './archive-resolver.js';
import { KpyError } from './errors.js';
import { fetchOk } from './http-fetch.js';

/**
 * Content-addressed store of .deb files (`<dir>/<sha256>.deb`). A file is
 * only ever renamed into place after its sha256 and size matched the signed
 * index, so a present file is a verified one.
 */
export class DebCache {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  pathOf(sha256: string): string {
    return join(this.dir, `${sha256}.deb`);
  }

  async ensure(pkg: ResolvedPackage): Promise<string> {
    const path = this.pathOf(pkg.sha256);
    if (await exists(path)) return path;
    let p = this.inflight.get(pkg.sha256);
    if (!p) {
      p = this.download(pkg).finally(() => this.inflight.delete(pkg.sha256));
      this.inflight.set(pkg.sha256, p);
    }
    return p;
  }

  private async download(pkg: ResolvedPackage): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const path = this.pathOf(pkg.sha256);
    const tmp = `${path}.${randomBytes(6).toString('hex')}.part`;
    const hash = createHash('sha256');
    let size = 0;
    try {
      const res = await fetchOk(pkg.url, 600_000);
      if (!res.body) throw new KpyError('ARCHIVE_UNAVAILABLE', `empty body for ${pkg.url}`);
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), meter, createWriteStream(tmp));
      const got = hash.digest('hex');
      if (got !== pkg.sha256 || size !== pkg.size) {
        throw new KpyError(
          'ARCHIVE_CHECKSUM_MISMATCH',
          `${pkg.name} ${pkg.version}: got sha256 ${got} (${size} bytes), index says ${pkg.sha256} (${pkg.size} bytes)`,
        );
      }
      await rename(tmp, path);
      return path;
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof KpyError) throw err;
      throw new KpyError('ARCHIVE_UNAVAILABLE', `download of ${pkg.url} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
