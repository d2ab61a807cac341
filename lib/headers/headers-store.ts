import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadedHeaders } from './headers-meta.js';

/**
 * Validated headers trees, content-addressed: `<root>/<sha256>/headers.tar`
 * and `meta.json`. An entry appears only by renaming a complete directory
 * into place, so nothing is ever half-stored; scratch space lives in
 * `<root>/.tmp` and is removed on failure (and swept at start).
 */
export class HeadersStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return join(this.root, id);
  }

  tarPath(id: string): string {
    return join(this.dir(id), 'headers.tar');
  }

  async get(id: string): Promise<UploadedHeaders | undefined> {
    return this.getLocal(id);
  }

  /** This machine's copy only (a shared store's get() may fetch; commit must not). */
  protected async getLocal(id: string): Promise<UploadedHeaders | undefined> {
    if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
    const text = await readFile(join(this.dir(id), 'meta.json'), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as UploadedHeaders);
  }

  /** A fresh scratch directory for one upload. */
  async scratch(): Promise<string> {
    const dir = join(this.root, '.tmp', randomBytes(8).toString('hex'));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Move a complete `headers.tar` into place under its id with its meta.
   * Returns false when the id was already stored (the existing entry stays).
   */
  async commit(tarFile: string, meta: UploadedHeaders): Promise<boolean> {
    if (await this.getLocal(meta.id)) return false;
    const staging = join(this.root, '.tmp', `commit-${randomBytes(8).toString('hex')}`);
    await mkdir(staging, { recursive: true });
    try {
      await rename(tarFile, join(staging, 'headers.tar'));
      await writeFile(join(staging, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
      try {
        await rename(staging, this.dir(meta.id));
        return true;
      } catch (err) {
        // Another upload of the same content won the race.
        if (await this.getLocal(meta.id)) return false;
        throw err;
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Remove scratch directories older than `ageMs` (left by a crash). */
  async sweep(ageMs = 3600_000): Promise<number> {
    const tmp = join(this.root, '.tmp');
    let n = 0;
    for (const name of await readdir(tmp).catch(() => [] as string[])) {
      const st = await stat(join(tmp, name)).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > ageMs) {
        await rm(join(tmp, name), { recursive: true, force: true });
        n++;
      }
    }
    return n;
  }

  /** Stored ids (for tests and listings). */
  async ids(): Promise<string[]> {
    return (await readdir(this.root).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{64}$/.test(n));
  }
}
