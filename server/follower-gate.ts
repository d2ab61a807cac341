import { KpyError } from '../lib/errors.js';

/**
 * Caps on live log followers (SSE connections), in all and per client, so
 * open streams cannot pile up without bound; past a cap the request gets a
 * 429 TOO_MANY_FOLLOWERS instead of a stream.
 */
export class FollowerGate {
  private total = 0;
  private readonly perClient = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly maxPerClient: number,
  ) {}

  get open(): number {
    return this.total;
  }

  /** Take a slot for `client`; the returned function gives it back (idempotent). */
  acquire(client: string): () => void {
    if (this.total >= this.max) {
      throw new KpyError('TOO_MANY_FOLLOWERS', `${this.max} live log streams are open on this server; follow again later or read the log without text/event-stream`, {
        details: { limit: this.max, scope: 'server' },
      });
    }
    const mine = this.perClient.get(client) ?? 0;
    if (mine >= this.maxPerClient) {
      throw new KpyError('TOO_MANY_FOLLOWERS', `${this.maxPerClient} live log streams are open from ${client}; close some first`, {
        details: { limit: this.maxPerClient, scope: 'client' },
      });
    }
    this.total++;
    this.perClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.perClient.get(client) ?? 1) - 1;
      if (n <= 0) this.perClient.delete(client);
      else this.perClient.set(client, n);
    };
  }
}
