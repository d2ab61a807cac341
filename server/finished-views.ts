import type { BuildRecord, BuildRecords } from '../lib/build-records.js';

/**
 * The serialized status of finished builds, so that the read CI fleets
 * repeat most (is my build done? what are its digests?) costs one tiny
 * pipelined Redis reply instead of the whole record, a look at the store,
 * the view and its JSON. An entry is only ever served while the record's
 * rev token is the one it was made from: every change of a record (a
 * forced rebuild, a retry, a lost worker) writes a new token, and the
 * view of a finished build is a function of its record and the meta.json
 * the record was finished after. A build is kept only once its meta is
 * older than the store's settle time (in a bucket two workers that built
 * one key at once both publish and the last meta stays; 0 for the local
 * directory). Bounded by bytes,
 * least recently used first; per process, so API replicas need no
 * coordination.
 */
export class FinishedViews {
  private readonly entries = new Map<string, { rev: string; body: Buffer }>();
  private bytes = 0;

  constructor(
    private readonly records: Pick<BuildRecords, 'rev'>,
    private readonly maxBytes: number,
    private readonly settleMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keep `body` (the JSON view of `b`) if `b` is finished and its record carries a rev token. */
  remember(b: BuildRecord, body: Buffer): void {
    const finished = b.state === 'failed' || (b.state === 'succeeded' && b.meta !== undefined);
    const settled = !b.meta || this.now() - Date.parse(b.meta.finishedAt) >= this.settleMs;
    if (!finished || !settled || !b.rev || body.length > this.maxBytes / 16) return;
    this.drop(b.id);
    this.entries.set(b.id, { rev: b.rev, body });
    this.bytes += body.length;
    for (const [id] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(id);
    }
  }

  /** The kept view of build `id` if its record has not changed since; undefined otherwise. */
  async current(id: string): Promise<Buffer | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if ((await this.records.rev(id)) !== e.rev) {
      if (this.entries.get(id) === e) this.drop(id);
      return undefined;
    }
    // Mark recently used (Map order is insertion order).
    this.entries.delete(id);
    this.entries.set(id, e);
    return e.body;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.bytes -= e.body.length;
  }
}
