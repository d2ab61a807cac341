import type { Redis } from 'ioredis';
import { compareIds, LogHub, type StreamEntry } from './log-hub.js';
import type { Logger } from './logger.js';

export type LogEvent = { id: string; line: string } | { id: string; end: string };

/**
 * Live build logs through Redis streams (`<prefix>:log:<key>`), so an API
 * process can follow a build that runs in any worker. Lines are batched per
 * tick; the stream ends with an `end` entry carrying the final state. Every
 * follower of this process shares one Redis connection (LogHub).
 */
export class LogBus {
  private readonly pending = new Map<string, string[]>();
  private flushing: Promise<void> | undefined;
  private readonly hub: LogHub;
  /** wakers of the followers waiting for lines, so close() can end them */
  private readonly waiting = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxLines = 50_000,
    private readonly ttlSec = 7 * 24 * 3600,
    private readonly log?: Logger,
  ) {
    this.hub = new LogHub(redis, log);
  }

  private key(id: string): string {
    return `${this.prefix}:log:${id}`;
  }

  async reset(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  /**
   * Queue a line for the next flush. Never throws and never leaves a promise
   * unhandled: a failed flush (Redis down, an error reply) loses those live
   * lines, is logged, and the build goes on (build.log keeps every line).
   */
  append(id: string, line: string): void {
    const list = this.pending.get(id) ?? [];
    list.push(line);
    this.pending.set(id, list);
    this.flushing ??= new Promise<void>((r) => setImmediate(r))
      .then(() => this.flush())
      .catch((err: unknown) => this.log?.warn({ err, buildId: id.slice(0, 12) }, 'live log lines lost: flushing them to Redis failed'));
  }

  async flush(): Promise<void> {
    this.flushing = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    if (batch.length === 0) return;
    const multi = this.redis.multi();
    for (const [id, lines] of batch) {
      for (const line of lines) multi.xadd(this.key(id), 'MAXLEN', '~', String(this.maxLines), '*', 'l', line);
    }
    // exec() resolves with per-command errors (e.g. WRONGTYPE); surface the first.
    const results = await multi.exec();
    const failed = results?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  async end(id: string, state: string): Promise<void> {
    await this.flush().catch((err: unknown) => this.log?.warn({ err }, 'live log lines lost: flushing them to Redis failed'));
    const results = await this.redis.multi().xadd(this.key(id), '*', 'end', state).expire(this.key(id), this.ttlSec).exec();
    const failed = results?.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  /**
   * Events after `from` ("0" = from the start, "$" = only new ones), until the
   * end entry or the signal aborts. A stream that has ended yields its end at
   * once, wherever `from` points, so a follower resuming after the end is
   * told and closed instead of waiting forever.
   */
  async *follow(id: string, signal: AbortSignal, from = '0'): AsyncGenerator<LogEvent> {
    const key = this.key(id);
    let wake: (() => void) | undefined;
    const live: StreamEntry[] = [];
    const unsubscribe = await this.hub.subscribe(key, (entries) => {
      live.push(...entries);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      const last = (await this.redis.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntry[];
      const tail = last[0];
      if (tail && tail[1][0] === 'end') {
        // Ended: what the follower has not seen (nothing after "$" or the end itself), then the end.
        const rest = from === '$' ? [] : ((await this.redis.xrange(key, from === '0' ? '-' : `(${from}`, '+')) as StreamEntry[]);
        for (const [eid, f] of rest) {
          if (f[0] !== 'end') yield toEvent(eid, f);
        }
        yield toEvent(tail[0], tail[1]);
        return;
      }
      let seen = from === '$' ? (tail?.[0] ?? '0-0') : from === '0' ? '0-0' : from;
      if (from !== '$') {
        for (const [eid, f] of (await this.redis.xrange(key, `(${seen}`, '+')) as StreamEntry[]) {
          seen = eid;
          const ev = toEvent(eid, f);
          yield ev;
          if ('end' in ev) return;
        }
      }
      while (!signal.aborted && !this.closed) {
        const batch = live.splice(0);
        for (const [eid, f] of batch) {
          if (compareIds(eid, seen) <= 0) continue;
          seen = eid;
          const ev = toEvent(eid, f);
          yield ev;
          if ('end' in ev) return;
        }
        if (live.length === 0 && !signal.aborted && !this.closed) {
          await new Promise<void>((r) => {
            wake = r;
            this.waiting.add(r);
          });
        }
        if (wake) this.waiting.delete(wake);
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }

  /** Entries in the live stream (0 when it expired or never existed). */
  async size(id: string): Promise<number> {
    return this.redis.xlen(this.key(id));
  }

  /** Everything logged so far in pages of `count` entries (a reader never holds the whole log). */
  async *pages(id: string, count = 1000): AsyncGenerator<LogEvent[]> {
    let start = '-';
    for (;;) {
      const entries = (await this.redis.xrange(this.key(id), start, '+', 'COUNT', count)) as StreamEntry[];
      if (entries.length === 0) return;
      yield entries.map(([eid, f]) => toEvent(eid, f));
      const last = entries[entries.length - 1] as StreamEntry;
      if (entries.length < count) return;
      start = `(${last[0]}`;
    }
  }

  /** Everything logged so far, without waiting. */
  async snapshot(id: string): Promise<LogEvent[]> {
    const entries = (await this.redis.xrange(this.key(id), '-', '+')) as StreamEntry[];
    return entries.map(([eid, f]) => toEvent(eid, f));
  }

  /** Stop the shared reader; followers still waiting end (their streams close). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting) w();
    this.waiting.clear();
    await this.hub.close();
  }
}

function toEvent(eid: string, f: string[]): LogEvent {
  return f[0] === 'end' ? { id: eid, end: f[1] ?? '' } : { id: eid, line: f[1] ?? '' };
}
