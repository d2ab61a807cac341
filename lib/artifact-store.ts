import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustLevel } from './build-plan.js';
import { fsyncDir, storageError, writeFileDurable } from './durable-fs.js';
import { KpyError } from './errors.js';
import { mayBeAlive, selfIdentity } from './process-identity.js';
import { sha256Hex } from './sha256.js';
import type { BuildStore } from './store/build-store.js';
import type { ModuleSignatureKind } from './signing/provenance.js';

export interface ArtifactInfo {
  name: string;
  sha256: string;
  size: number;
}

/** The Debian kernel of an archive build, for its packages and the apt repository. */
export interface DebianTarget {
  /** suite of the kernel's packages (bookworm-security) and its codename (bookworm) */
  suite: string;
  codename: string;
  /** Debian version of linux-headers-<release> / linux-image-<release> */
  kernelVersion: string;
  arch: string;
}

/** A Debian package stored with a build (file name = artifact name). */
export interface StoredPackage {
  fileName: string;
  package: string;
  version: string;
  arch: string;
  /** control stanza for Packages indexes (without Filename, Size, checksums) */
  control: string;
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
  /** archive builds since packaging: the kernel and the .debs made from the module */
  debian?: DebianTarget;
  packages?: StoredPackage[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** the worker id that built it (absent before issue 12) */
  worker?: string;
}

/** Scratch names carry their writer (host, pid, pid start) so a sweep can tell a crashed commit from a running one. */
const SCRATCH_RE = /^\.(tmp|old)-(.+)-(\d+)-(\d*)-[0-9a-f]{16}$/;
const SCRATCH_MAX_AGE_MS = 3600_000;
/** Parsed metas kept in memory (a few KiB each); the oldest goes first. */
const META_CACHE_ENTRIES = 4096;

/**
 * Artifacts on the local disk, one directory per build key, published by
 * one rename of a complete, fsynced directory (every file, meta.json last,
 * then the directory itself and its parent), so after a crash or power loss
 * a build is whole or absent. A key names its inputs, so its bytes are
 * fixed: committing a key that is already published keeps the published
 * build (idempotent; the loser of two concurrent commits gets the winner's
 * meta), and a published build never disappears between steps. A build
 * whose meta.json is unreadable (power loss before this store fsynced)
 * counts as absent, for itself only, and the next commit replaces it.
 */
export class ArtifactStore implements BuildStore {
  /** a second commit of a published key is a no-op: a meta never changes under readers */
  readonly settleMs = 0;
  private readonly self = selfIdentity();
  /**
   * Parsed meta.json by key, valid while the file is the same one: every
   * publish or replacement renames a new directory into place (a new
   * inode), so one stat tells a cached meta from a stale one. Status reads
   * then cost a stat, not an open, a read and a parse.
   */
  private readonly metaCache = new Map<string, { ino: number; mtimeMs: number; size: number; meta: BuildMeta }>();

  constructor(private readonly root: string) {}

  private dir(key: string): string {
    return join(this.root, 'builds', key);
  }

  async meta(key: string): Promise<BuildMeta | undefined> {
    const path = join(this.dir(key), 'meta.json');
    const st = await stat(path).catch(() => undefined);
    if (!st) {
      this.metaCache.delete(key);
      return undefined;
    }
    const hit = this.metaCache.get(key);
    if (hit && hit.ino === st.ino && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.meta;
    const meta = await readMeta(path, key);
    this.metaCache.delete(key);
    if (!meta) return undefined;
    if (this.metaCache.size >= META_CACHE_ENTRIES) this.metaCache.delete(this.metaCache.keys().next().value as string);
    Object.freeze(meta.artifacts);
    this.metaCache.set(key, { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, meta: Object.freeze(meta) });
    return meta;
  }

  /** Every published build (for the apt repository's indexes). */
  async list(): Promise<BuildMeta[]> {
    const names = await readdir(join(this.root, 'builds')).catch(() => [] as string[]);
    const out: BuildMeta[] = [];
    for (const name of names.sort()) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const m = await this.meta(name);
      if (m) out.push(m);
    }
    return out;
  }

  async has(key: string): Promise<boolean> {
    return (await this.meta(key)) !== undefined;
  }

  /** Path of a stored artifact (or a failed build's log), if present. */
  async path(key: string, name: string): Promise<string | undefined> {
    const dirs = (await this.has(key)) ? [this.dir(key), join(this.root, 'failures', key)] : [join(this.root, 'failures', key)];
    for (const dir of dirs) {
      const p = join(dir, name);
      if (await stat(p).then((s) => s.isFile(), () => false)) return p;
    }
    return undefined;
  }

  async commit(key: string, files: Map<string, Buffer>, meta: Omit<BuildMeta, 'artifacts'>): Promise<BuildMeta> {
    const artifacts = [...files].map(([name, data]) => ({ name, sha256: sha256Hex(data), size: data.length }));
    const full: BuildMeta = { ...meta, artifacts };
    const published = await this.meta(key);
    if (published) return sameModule(published, full);
    const builds = join(this.root, 'builds');
    const tmp = await this.stage(builds, files, full, `build ${key.slice(0, 12)}`);
    const dest = this.dir(key);
    try {
      const won = await rename(tmp, dest).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST') return false;
          throw err;
        },
      );
      if (!won) {
        const winner = await this.meta(key);
        if (winner) {
          await rm(tmp, { recursive: true, force: true });
          return sameModule(winner, full);
        }
        // A directory without a readable meta.json: a build cut by power loss. Replace it.
        const old = join(builds, this.scratchName('old'));
        await rename(dest, old);
        await rename(tmp, dest);
        await rm(old, { recursive: true, force: true });
      }
      await fsyncDir(builds);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw storageError(err, `build ${key.slice(0, 12)}`);
    }
    await rm(join(this.root, 'failures', key), { recursive: true, force: true });
    return full;
  }

  /** Keep the log and error of a failed build (replaced by the next attempt). */
  async commitFailure(key: string, log: Buffer, failure: unknown): Promise<void> {
    const failures = join(this.root, 'failures');
    const tmp = await this.stage(failures, new Map([['build.log', log]]), failure, `the failure log of ${key.slice(0, 12)}`);
    const dest = join(failures, key);
    try {
      const old = join(failures, this.scratchName('old'));
      const had = await rename(dest, old).then(() => true, () => false);
      await rename(tmp, dest);
      await fsyncDir(failures);
      if (had) await rm(old, { recursive: true, force: true });
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw storageError(err, `the failure log of ${key.slice(0, 12)}`);
    }
  }

  /**
   * Remove what crashed commits left: scratch directories whose writer is
   * gone (this host, dead pid) or that are older than an hour. Run at start.
   */
  async sweep(): Promise<{ removed: string[] }> {
    const removed: string[] = [];
    for (const area of ['builds', 'failures']) {
      const dir = join(this.root, area);
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const m = SCRATCH_RE.exec(name);
        if (!m) continue;
        const [, , host = '', pid = '0', start = ''] = m;
        const age = await stat(join(dir, name)).then((s) => Date.now() - s.mtimeMs, () => 0);
        const writer = { host: host === safeHost(this.self.host) ? this.self.host : host, pid: Number(pid), start };
        if (mayBeAlive(writer) && age < SCRATCH_MAX_AGE_MS) continue;
        await rm(join(dir, name), { recursive: true, force: true });
        removed.push(`${area}/${name}`);
      }
    }
    return { removed };
  }

  private scratchName(kind: 'tmp' | 'old'): string {
    return `.${kind}-${safeHost(this.self.host)}-${this.self.pid}-${this.self.start}-${randomBytes(8).toString('hex')}`;
  }

  /** A complete, fsynced directory beside its destination, not yet visible under a key. */
  private async stage(parent: string, files: Map<string, Buffer>, meta: unknown, what: string): Promise<string> {
    const tmp = join(parent, this.scratchName('tmp'));
    try {
      await mkdir(parent, { recursive: true });
      await mkdir(tmp);
      for (const [name, data] of files) await writeFileDurable(join(tmp, name), data);
      await writeFileDurable(join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
      await fsyncDir(tmp);
      return tmp;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw storageError(err, what);
    }
  }
}

const safeHost = (host: string) => host.replace(/[^A-Za-z0-9_.]/g, '_');

/** A second commit of a published key must hold the same module; it then answers with the published meta. */
export function sameModule(published: BuildMeta, offered: BuildMeta): BuildMeta {
  if (published.unsignedSha256 !== offered.unsignedSha256) {
    throw new KpyError('NOT_REPRODUCIBLE', `build gave unsigned sha256 ${offered.unsignedSha256}, the published build has ${published.unsignedSha256}`, {
      details: { previous: published.unsignedSha256, now: offered.unsignedSha256 },
    });
  }
  return published;
}

async function readMeta(path: string, key: string): Promise<BuildMeta | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as Partial<BuildMeta> | null;
    if (!m || m.key !== key || !Array.isArray(m.artifacts) || typeof m.unsignedSha256 !== 'string') return undefined;
    return m as BuildMeta;
  } catch {
    return undefined;
  }
}
