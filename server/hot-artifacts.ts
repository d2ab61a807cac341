import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../lib/sha256.js';

/** One artifact held in memory with the headers it is always sent with. */
export interface HotArtifact {
  readonly body: Buffer;
  readonly sha256: string;
}

/**
 * Artifacts that CI fleets download over and over (a module is ~1–6 MB and
 * never changes once built), kept in memory so a download is one write of
 * a buffer instead of an open, ~100 reads and a close per request. Bounded
 * by bytes (least recently used goes first); an entry is filled only with
 * bytes whose sha256 matches the digest recorded when the build was stored,
 * so a file damaged on disk is never cached (and is served, as before,
 * from disk). Keys name content that cannot change (build key + artifact
 * name + digest), so entries never need invalidating, only evicting.
 */
export class HotArtifacts {
  private readonly entries = new Map<string, HotArtifact>();
  private readonly loading = new Map<string, Promise<HotArtifact | undefined>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The cached artifact under `key`, if any (and mark it recently used). */
  get(key: string): HotArtifact | undefined {
    const e = this.entries.get(key);
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }

  /**
   * Load `path` under `key` if it is small enough to share the budget and
   * its bytes have the recorded digest; concurrent loads of one key read
   * the file once. Undefined when the artifact is not cacheable.
   */
  async load(key: string, path: string, known: { sha256: string; size: number }): Promise<HotArtifact | undefined> {
    const hit = this.get(key);
    if (hit) return hit;
    // One artifact may take at most a quarter of the budget: a few large
    // files must not push out everything else.
    if (known.size > this.maxBytes / 4) return undefined;
    let p = this.loading.get(key);
    if (!p) {
      p = this.read(key, path, known).finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private async read(key: string, path: string, known: { sha256: string; size: number }): Promise<HotArtifact | undefined> {
    const body = await readFile(path).catch(() => undefined);
    if (!body || body.length !== known.size || sha256Hex(body) !== known.sha256) return undefined;
    const entry: HotArtifact = { body, sha256: known.sha256 };
    if (!this.entries.has(key)) {
      this.entries.set(key, entry);
      this.bytes += body.length;
    }
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.body.length;
    }
    return entry;
  }
}
