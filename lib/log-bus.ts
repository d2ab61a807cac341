import type { Redis } from 'ioredis';

export type LogEvent = { id: string; line: string } | { id: string; end: string };

/**
 * Live build logs through Redis streams (`<prefix>:log:<key>`), so an API
 * process can follow a build that runs in any worker. Lines are batched per
 * tick; the stream ends with an `end` entry carrying the final state.
 */
export class LogBus {
  private readonly pending = new Map<string, string[]>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxLines = 50_000,
    private readonly ttlSec = 7 * 24 * 3600,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:log:${id}`;
  }

  async reset(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  append(id: string, line: string): void {
    const list = this.pending.get(id) ?? [];
    list.push(line);
    this.pending.set(id, list);
    this.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
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
    await multi.exec();
  }

  async end(id: string, state: string): Promise<void> {
    await this.flush();
    await this.redis.multi().xadd(this.key(id), '*', 'end', state).expire(this.key(id), this.ttlSec).exec();
  }

  /** Events after `from` ("0" = from the start), until the end entry or the signal aborts. */
  async *follow(id: string, signal: AbortSignal, from = '0'): AsyncGenerator<LogEvent> {
    const conn = this.redis.duplicate();
    try {
      let last = from;
      while (!signal.aborted) {
        const res = (await conn.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.key(id), last)) as
          | [string, [string, string[]][]][]
          | null;
        for (const [, entries] of res ?? []) {
          for (const [eid, fields] of entries) {
            last = eid;
            if (fields[0] === 'end') {
              yield { id: eid, end: fields[1] ?? '' };
              return;
            }
            yield { id: eid, line: fields[1] ?? '' };
          }
        }
      }
    } finally {
      conn.disconnect();
    }
  }

  /** Everything logged so far, without waiting. */
  async snapshot(id: string): Promise<LogEvent[]> {
    const entries = (await this.redis.xrange(this.key(id), '-', '+')) as [string, string[]][];
    return entries.map(([eid, f]) => (f[0] === 'end' ? { id: eid, end: f[1] ?? '' } : { id: eid, line: f[1] ?? '' }));
  }
}
