/**
 * Asks whether a suite's signed InRelease changed since the last look,
 * with a conditional request (If-None-Match / If-Modified-Since): an
 * unchanged archive answers 304 and costs a few hundred bytes per interval.
 * What changed is then read through the resolver, which verifies the
 * signature; this poller only decides when to look.
 */
export class InReleasePoller {
  private readonly seen = new Map<string, { etag?: string; lastModified?: string }>();

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
    // Only the validators matter here; the body is read by the resolver.
    await res.body?.cancel();
    const etag = res.headers.get('etag') ?? undefined;
    const lastModified = res.headers.get('last-modified') ?? undefined;
    this.seen.set(url, { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) });
    return true;
  }
}
