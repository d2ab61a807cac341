import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export type StreamEntry = [id: string, fields: string[]];
type Listener = (entries: StreamEntry[]) => void;

/**
 * One blocking Redis connection that reads every followed log stream
 * (`XREAD BLOCK` over all of their keys at once) and hands new entries to the
 * followers of each: a thousand SSE clients cost one connection, not a
 * thousand. A stream's cursor starts at its last entry when its first
 * follower arrives; followers catch up on older entries themselves (XRANGE)
 * after subscribing, and drop what they have already seen by id.
 */
export class LogHub {
  private readonly channels = new Map<string, { cursor: string; listeners: Set<Listener> }>();
  private conn: Redis | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly log?: Logger,
  ) {}

  /** Subscribe to entries of `key` added after this call resolves; the returned function unsubscribes. */
  async subscribe(key: string, listener: Listener): Promise<() => void> {
    let ch = this.channels.get(key);
    if (!ch) {
      const last = (await this.redis.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntry[];
      ch = this.channels.get(key) ?? { cursor: last[0]?.[0] ?? '0-0', listeners: new Set() };
      this.channels.set(key, ch);
    }
    ch.listeners.add(listener);
    this.start();
    const channel = ch;
    return () => {
      channel.listeners.delete(listener);
      if (channel.listeners.size === 0 && this.channels.get(key) === channel) this.channels.delete(key);
    };
  }

  get followedStreams(): number {
    return this.channels.size;
  }

  private start(): void {
    if (this.loop || this.closed) return;
    this.conn ??= this.redis.duplicate({ connectionName: `${this.redis.options.connectionName ?? 'kpython'}:logs` });
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      if (this.channels.size > 0) this.start();
    });
  }

  private async run(): Promise<void> {
    const conn = this.conn as Redis;
    while (!this.closed && this.channels.size > 0) {
      const keys = [...this.channels.keys()];
      const cursors = keys.map((k) => this.channels.get(k)?.cursor ?? '$');
      let res: [string, StreamEntry[]][] | null;
      try {
        res = (await conn.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', ...keys, ...cursors)) as [string, StreamEntry[]][] | null;
      } catch (err) {
        if (this.closed) return;
        this.log?.warn({ err }, 'reading log streams failed; retrying');
        await new Promise((r) => setTimeout(r, 1000).unref());
        continue;
      }
      for (const [key, entries] of res ?? []) {
        const ch = this.channels.get(key);
        const lastEntry = entries[entries.length - 1];
        if (!ch || !lastEntry) continue;
        ch.cursor = lastEntry[0];
        for (const l of [...ch.listeners]) {
          try {
            l(entries);
          } catch (err) {
            this.log?.error({ err }, 'a log follower failed');
          }
        }
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    this.conn?.disconnect();
    await this.loop?.catch(() => undefined);
  }
}

/** Stream ids `ms-seq` in order. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
