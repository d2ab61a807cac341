import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustLevel } from './build-plan.js';
import { sha256Hex } from './sha256.js';
import type { ModuleSignatureKind } from './signing/provenance.js';

export interface ArtifactInfo {
  name: string;
  sha256: string;
  size: number;
}

/** meta.json of a stored build. */
export interface BuildMeta {
  key: string;
  release: string;
  artifacts: ArtifactInfo[];
  /** sha256 of the module before signing: the reproducible bytes */
  unsignedSha256: string;
  vermagic: string;
  /** absent in builds stored before trust levels: those were all archive builds */
  trust?: TrustLevel;
  moduleSignature?: ModuleSignatureKind;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/**
 * Artifacts on the local disk, one directory per build key. A build becomes
 * visible only through a rename of a complete directory, so readers never
 * see half a build; `meta.json` is written last inside it.
 */
export class ArtifactStore {
  constructor(private readonly root: string) {}

  private dir(key: string): string {
    return join(this.root, 'builds', key);
  }

  async meta(key: string): Promise<BuildMeta | undefined> {
    const text = await readFile(join(this.dir(key), 'meta.json'), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as BuildMeta);
  }

  async has(key: string): Promise<boolean> {
    return (await this.meta(key)) !== undefined;
  }

  /** Path of a stored artifact (or a failed build's log), if present. */
  async path(key: string, name: string): Promise<string | undefined> {
    for (const dir of [this.dir(key), join(this.root, 'failures', key)]) {
      const p = join(dir, name);
      if (await stat(p).then((s) => s.isFile(), () => false)) return p;
    }
    return undefined;
  }

  async commit(key: string, files: Map<string, Buffer>, meta: Omit<BuildMeta, 'artifacts'>): Promise<BuildMeta> {
    const artifacts = [...files].map(([name, data]) => ({ name, sha256: sha256Hex(data), size: data.length }));
    const full: BuildMeta = { ...meta, artifacts };
    await this.swapIn(this.dir(key), files, full);
    await rm(join(this.root, 'failures', key), { recursive: true, force: true });
    return full;
  }

  /** Keep the log and error of a failed build (replaced by the next attempt). */
  async commitFailure(key: string, log: Buffer, failure: unknown): Promise<void> {
    await this.swapIn(join(this.root, 'failures', key), new Map([['build.log', log]]), failure);
  }

  private async swapIn(dest: string, files: Map<string, Buffer>, meta: unknown): Promise<void> {
    const parent = join(dest, '..');
    await mkdir(parent, { recursive: true });
    const tmp = join(parent, `.tmp-${randomBytes(8).toString('hex')}`);
    await mkdir(tmp);
    try {
      for (const [name, data] of files) await writeFile(join(tmp, name), data);
      await writeFile(join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
      const old = join(parent, `.old-${randomBytes(8).toString('hex')}`);
      const had = await rename(dest, old).then(() => true, () => false);
      await rename(tmp, dest);
      if (had) await rm(old, { recursive: true, force: true });
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}
