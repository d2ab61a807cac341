import { sha256Hex } from '../sha256.js';

/**
 * Asks whether a suite's signed InRelease changed since the last look,
 * with a conditional request (If-None-Match / If-Modified-Since): an
 * unchanged archive answers 304 and costs a few hundred bytes per interval.
 * A mirror that sends no validators (some proxies) is compared by the
 * digest of what it sends. What changed is then read through the resolver,
 * which verifies the signature; this poller only decides when to look.
 */
export class InReleasePoller {
  private readonly seen = new Map<string, { etag?: string; lastModified?: string; sha256?: string }>();

  constructor(private readonly fetchFn: typeof fetch = fetch) {}

  /** true when `url` is new or changed (the first look counts as a change) */
  async changed(url: string, timeoutMs = 30_000): Promise<boolean> {
    const prev = this.seen.get(url);
    const headers: Record<string, string> = {};
    if (prev?.etag) headers['if-none-match'] = prev.etag;
    if (prev?.lastModified) headers['if-modified-since'] = prev.lastModified;
    const res = await this.fetchFn(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 304) return false;
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    const etag = res.headers.get('etag') ?? undefined;
    const lastModified = res.headers.get('last-modified') ?? undefined;
    if (etag || lastModified) {
      // The validators say it all; the body is read (and verified) by the resolver.
      await res.body?.cancel();
      this.seen.set(url, { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) });
      return true;
    }
    const sha256 = sha256Hex(Buffer.from(await res.arrayBuffer()));
    this.seen.set(url, { sha256 });
    return prev?.sha256 !== sha256;
  }
}
