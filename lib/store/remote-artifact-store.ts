import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sameModule, type BuildMeta } from '../artifact-store.js';
import { KpyError } from '../errors.js';
import { sha256File, sha256Hex } from '../sha256.js';
import type { BuildStore } from './build-store.js';
import type { ObjectStore } from './object-store.js';

/** Parsed metas kept in memory: a published key's meta never changes once its commit race is over. */
const META_CACHE_ENTRIES = 4096;
/**
 * S3 (and Swift 2.30) has no "create if absent" we can rely on, so two
 * workers that built one key at once both write its meta and the last one
 * stays. Both are whole builds of the same inputs; a meta this young is
 * read again rather than cached, so every process converges on the one that
 * stayed.
 */
const RACE_WINDOW_MS = 120_000;
const KEY_RE = /^[0-9a-f]{64}$/;

/**
 * Builds in a shared object store, content-addressed:
 *
 *   blobs/sha256/<hex>      every artifact's bytes, written first
 *   builds/<key>.json       the meta naming them: written last, it publishes
 *   failures/<key>.json     a failed attempt: its error and its log's digest
 *
 * A reader that finds a meta finds every blob it names, so it sees a whole
 * build or none. Two workers committing one key write identical or equally
 * complete blob sets and the last meta stays (see RACE_WINDOW_MS); both are
 * builds of the same inputs (the unsigned module is checked to be the same). Reads go through a local
 * cache of verified blobs (`cacheDir`), so the routes keep serving files
 * and the API's hot-artifact cache sits in front as before.
 */
export class RemoteArtifactStore implements BuildStore {
  readonly settleMs = RACE_WINDOW_MS;
  private readonly metas = new Map<string, BuildMeta>();

  constructor(
    private readonly objects: ObjectStore,
    private readonly cacheDir: string,
  ) {}

  async meta(key: string): Promise<BuildMeta | undefined> {
    if (!KEY_RE.test(key)) return undefined;
    const hit = this.metas.get(key);
    if (hit) return hit;
    const body = await this.objects.get(`builds/${key}.json`);
    const meta = body ? parseMeta(body, key) : undefined;
    if (!meta) return undefined;
    if (Date.now() - Date.parse(meta.finishedAt) < RACE_WINDOW_MS) return meta;
    if (this.metas.size >= META_CACHE_ENTRIES) this.metas.delete(this.metas.keys().next().value as string);
    Object.freeze(meta.artifacts);
    this.metas.set(key, Object.freeze(meta));
    return meta;
  }

  async list(): Promise<BuildMeta[]> {
    const out: BuildMeta[] = [];
    for (const k of await this.objects.list('builds/')) {
      const m = /^builds\/([0-9a-f]{64})\.json$/.exec(k);
      const meta = m?.[1] ? await this.meta(m[1]) : undefined;
      if (meta) out.push(meta);
    }
    return out;
  }

  async has(key: string): Promise<boolean> {
    return (await this.meta(key)) !== undefined;
  }

  async path(key: string, name: string, sha256?: string): Promise<string | undefined> {
    // Blobs are content-addressed: the caller's digest names its bytes whatever meta stayed.
    if (sha256 !== undefined && KEY_RE.test(sha256) && KEY_RE.test(key)) return this.blobFile(sha256);
    const meta = await this.meta(key);
    const art = meta?.artifacts.find((a) => a.name === name);
    if (art) return this.blobFile(art.sha256);
    if (name !== 'build.log') return undefined;
    const failure = await this.objects.get(`failures/${key}.json`);
    const log = failure ? (JSON.parse(failure.toString('utf8')) as { log?: { sha256?: string } }).log?.sha256 : undefined;
    return log && KEY_RE.test(log) ? this.blobFile(log) : undefined;
  }

  async commit(key: string, files: Map<string, Buffer>, meta: Omit<BuildMeta, 'artifacts'>): Promise<BuildMeta> {
    const artifacts = [...files].map(([name, data]) => ({ name, sha256: sha256Hex(data), size: data.length }));
    const full: BuildMeta = { ...meta, artifacts };
    const published = await this.meta(key);
    if (published) return sameModule(published, full);
    for (const [name, data] of files) await this.objects.put(blobKey(artifacts.find((a) => a.name === name)?.sha256 ?? sha256Hex(data)), data);
    await this.objects.put(`builds/${key}.json`, Buffer.from(`${JSON.stringify(full, null, 2)}\n`));
    await this.objects.delete(`failures/${key}.json`).catch(() => undefined);
    return full;
  }

  async commitFailure(key: string, log: Buffer, failure: unknown): Promise<void> {
    const sha256 = sha256Hex(log);
    await this.objects.put(blobKey(sha256), log);
    const record = { ...(failure as object), log: { sha256, size: log.length } };
    await this.objects.put(`failures/${key}.json`, Buffer.from(`${JSON.stringify(record, null, 2)}\n`));
  }

  /** Nothing to sweep: an unpublished blob is only unreferenced bytes (a lifecycle rule may expire them). */
  async sweep(): Promise<{ removed: string[] }> {
    return { removed: [] };
  }

  /** A verified local copy of a blob; downloaded once per machine. */
  private async blobFile(sha256: string): Promise<string | undefined> {
    const dir = join(this.cacheDir, 'sha256');
    const path = join(dir, sha256);
    if (await stat(path).then((s) => s.isFile(), () => false)) return path;
    await mkdir(dir, { recursive: true });
    if (!(await this.objects.getToFile(blobKey(sha256), path))) return undefined;
    const got = await sha256File(path);
    if (got.sha256 !== sha256) {
      await rm(path, { force: true });
      throw new KpyError('STORE_UNAVAILABLE', `${this.objects.description}: blob ${sha256} holds bytes with sha256 ${got.sha256}`);
    }
    return path;
  }
}

export const blobKey = (sha256: string) => `blobs/sha256/${sha256}`;

function parseMeta(body: Buffer, key: string): BuildMeta | undefined {
  try {
    const m = JSON.parse(body.toString('utf8')) as Partial<BuildMeta> | null;
    if (!m || m.key !== key || !Array.isArray(m.artifacts) || typeof m.unsignedSha256 !== 'string') return undefined;
    return m as BuildMeta;
  } catch {
    return undefined;
  }
}
