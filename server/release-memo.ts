/**
 * Which build the CI fetch route (`/v1/kernels/<release>/kpython.ko`, no
 * query) last answered for a release, for a moment. The full route decides
 * it from the archive index, the probed compiler and the builder images,
 * which it already re-reads only every hour (the index TTL, or when the
 * archive watcher sees a new InRelease) and every 5 s (the image list), so
 * holding its answer as long as the image list is held adds nothing a
 * client could tell from the route's own staleness; after that the full
 * route decides again. (Under load every connection asks the full route at
 * once when an answer expires, so a longer hold costs less.)
 * Only built modules are remembered (what is not built yet depends on who
 * asks: token or not).
 */
export class ReleaseMemo {
  private readonly entries = new Map<string, { key: string; at: number }>();

  constructor(
    private readonly ttlMs = 5000,
    private readonly maxEntries = 4096,
    private readonly now: () => number = Date.now,
  ) {}

  remember(release: string, key: string): void {
    this.entries.delete(release);
    this.entries.set(release, { key, at: this.now() });
    for (const [r] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(r);
    }
  }

  /** The build key answered for `release` less than ttlMs ago, if any. */
  get(release: string): string | undefined {
    const e = this.entries.get(release);
    if (!e) return undefined;
    if (this.now() - e.at >= this.ttlMs) {
      this.entries.delete(release);
      return undefined;
    }
    return e.key;
  }
}
