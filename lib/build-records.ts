import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BuildMeta } from './artifact-store.js';
import type { BuildInputs } from './build-plan.js';

export type BuildState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface BuildRecord {
  id: string;
  state: BuildState;
  stage?: string;
  progress?: number;
  release?: string;
  /** the archive suite the headers package came from (bookworm-security, trixie, ...) */
  suite?: string;
  inputs?: BuildInputs;
  /** the builder image chosen and how its compiler matches the kernel's */
  toolchain?: { image: string; compiler: string; kernelCompiler: string; match: 'exact' | 'major' };
  /** the worker id that last started the build */
  worker?: string;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  /** milliseconds spent in each stage of the last attempt */
  timings?: Record<string, number>;
  /**
   * A random token written with every change of the record: equal tokens
   * mean an unchanged record (random, not a counter, so a record made again
   * after Redis lost its data never repeats an old token).
   */
  rev?: string;
  meta?: BuildMeta;
}

const JSON_FIELDS = new Set(['inputs', 'error', 'meta', 'timings', 'toolchain']);

/** How many builds the recent index keeps (the dashboard and GET /v1/builds read its head). */
export const RECENT_KEEP = 1000;

/** The status of each build, in a Redis hash `<prefix>:build:<key>` shared by API and workers. */
export class BuildRecords {
  /** rev() calls waiting for the next batch: one pipelined round trip answers all of them */
  private revQueue: { id: string; resolve: (rev: string | null) => void; reject: (err: unknown) => void }[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:build:${id}`;
  }

  /** A sorted set of build ids by their last change of state (ms), newest last; trimmed to RECENT_KEEP. */
  private recentKey(): string {
    return `${this.prefix}:builds:recent`;
  }

  async get(id: string): Promise<BuildRecord | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    if (!h.state) return undefined;
    const rec: Record<string, unknown> = { id };
    for (const [k, v] of Object.entries(h)) {
      rec[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : k === 'progress' ? Number(v) : v;
    }
    return rec as unknown as BuildRecord;
  }

  /** Set fields; `undefined` values delete the field. */
  async update(id: string, fields: Partial<Omit<BuildRecord, 'id'>>): Promise<void> {
    const set: Record<string, string> = {};
    const del: string[] = [];
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) del.push(k);
      else set[k] = JSON_FIELDS.has(k) ? JSON.stringify(v) : String(v);
    }
    set.rev = randomBytes(8).toString('hex');
    const m = this.redis.multi();
    m.hset(this.key(id), set);
    if (del.length) m.hdel(this.key(id), ...del);
    if (fields.state !== undefined) {
      m.zadd(this.recentKey(), Date.now(), id);
      m.zremrangebyrank(this.recentKey(), 0, -RECENT_KEEP - 1);
    }
    await m.exec();
  }

  /**
   * The record's rev token (null without a record or token). Status reads of
   * finished builds ask for nothing else, many at once: the calls of one
   * turn of the event loop share one pipelined round trip.
   */
  rev(id: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      if (this.revQueue.length === 0) setImmediate(() => this.flushRevs());
      this.revQueue.push({ id, resolve, reject });
    });
  }

  private flushRevs(): void {
    const batch = this.revQueue;
    this.revQueue = [];
    this.redis
      .pipeline(batch.map((w) => ['hget', this.key(w.id), 'rev']))
      .exec()
      .then((replies) => {
        batch.forEach((w, i) => {
          const [err, value] = replies?.[i] ?? [new Error('no reply')];
          if (err) w.reject(err);
          else w.resolve(typeof value === 'string' ? value : null);
        });
      }, (err: unknown) => batch.forEach((w) => w.reject(err)));
  }

  /** Ids of the builds whose state changed last, newest first. */
  async recent(limit: number): Promise<string[]> {
    return this.redis.zrevrange(this.recentKey(), 0, limit - 1);
  }

  /** Count containers started for a build (the dedup measure). */
  async countContainer(id: string): Promise<number> {
    return this.redis.hincrby(this.key(id), 'containers', 1);
  }

  async containers(id: string): Promise<number> {
    return Number((await this.redis.hget(this.key(id), 'containers')) ?? 0);
  }
}
