import type { KernelListing } from '../archive-resolver.js';
import type { SubmitResult } from '../build-service.js';
import type { BuildRequest } from '../build-request.js';
import { toKpyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { InReleasePoller } from './inrelease-poller.js';

export interface PrebuildSettings {
  /** suites whose kernels are built before anybody asks */
  suites: readonly string[];
  /** Debian kernel flavours to build (amd64, cloud-amd64, rt-amd64, ...) */
  flavours: readonly string[];
  intervalMs: number;
}

export interface PrebuildDeps {
  poller: InReleasePoller;
  inReleaseUrl(suite: string): string;
  /** the resolver's releases, read afresh (the archive changed) */
  releases(): Promise<KernelListing[]>;
  submit(req: BuildRequest): Promise<SubmitResult>;
  /** per release: what its current build is (for /metrics) */
  report?(release: string, state: string): void;
  /** the state of a release's current build without enqueueing anything (unchanged archive) */
  state?(release: string): Promise<string | undefined>;
  log: Logger;
}

export interface PrebuildTick {
  changed: string[];
  enqueued: string[];
  /** already built, or already queued or running */
  present: string[];
  failed: { release: string; code: string }[];
}

/**
 * The prebuild loop: every interval, ask each suite's InRelease whether it
 * changed; when one did, enqueue every release of the configured suites and
 * flavours at prebuild priority (below every person's request). A release
 * that is built or queued costs one status read (submit dedups by build
 * key), so a tick after a change enqueues only what is new.
 */
export class PrebuildWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PrebuildTick> | undefined;
  private known: KernelListing[] = [];

  constructor(
    private readonly s: PrebuildSettings,
    private readonly d: PrebuildDeps,
  ) {}

  start(): void {
    const loop = () => {
      void this.tick().finally(() => {
        this.timer = setTimeout(loop, this.s.intervalMs);
        this.timer.unref();
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  tick(): Promise<PrebuildTick> {
    this.running ??= this.once().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async once(): Promise<PrebuildTick> {
    const out: PrebuildTick = { changed: [], enqueued: [], present: [], failed: [] };
    for (const suite of this.s.suites) {
      const changed = await this.d.poller.changed(this.d.inReleaseUrl(suite)).catch((err: unknown) => {
        this.d.log.warn({ suite, err: (err as Error).message }, 'prebuild: cannot reach the archive; next interval');
        return false;
      });
      if (changed) out.changed.push(suite);
    }
    const releases = out.changed.length ? await this.d.releases() : this.known;
    this.known = releases;
    const wanted = releases.filter((k) => this.s.flavours.includes(k.flavour) && k.versions.some((v) => this.s.suites.includes(v.suite)));
    if (out.changed.length === 0) {
      // Nothing new: only refresh what /metrics says about each release.
      for (const k of wanted) {
        const state = await this.d.state?.(k.release).catch(() => undefined);
        if (state) this.d.report?.(k.release, state);
      }
      return out;
    }
    for (const k of wanted) {
      try {
        const r = await this.d.submit({ kernel: k.release, arch: 'amd64', force: false });
        (r.outcome === 'queued' ? out.enqueued : out.present).push(k.release);
        this.d.report?.(k.release, r.build.state);
      } catch (err) {
        const e = toKpyError(err);
        out.failed.push({ release: k.release, code: e.code });
        this.d.report?.(k.release, 'failed');
      }
    }
    this.d.log.info({ changed: out.changed, enqueued: out.enqueued.length, present: out.present.length, failed: out.failed.length }, 'prebuild: archive changed');
    return out;
  }
}
