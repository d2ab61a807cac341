import type { ConnectionOptions } from 'bullmq';
import type { BuilderImage } from './builder-images.js';
import { createBuildQueue, type BuildQueue } from './build-queue.js';

/**
 * Routing by target (issues 9 and 12): one BullMQ queue per kernel
 * architecture, so a job only ever reaches a worker whose builder images
 * compile for it, and a worker on another machine (a native arm64 one, say)
 * joins the same Redis by listening to the queues of what it can build. A
 * job for a target nobody serves waits, visibly queued, until a capable
 * worker starts. The builders' own architecture keeps the configured queue
 * name, so single-architecture deployments and their queued jobs are
 * unchanged; another target `t` is `<name>-t`.
 */
export function queueNameFor(base: string, arch: string, native: string): string {
  return arch === native ? base : `${base}-${arch}`;
}

/** The targets a worker's images can build: their target architectures, sorted. */
export function targetsOf(images: readonly BuilderImage[]): string[] {
  return [...new Set(images.map((i) => i.targetArch))].sort();
}

/** The build queues of one process, created on first use. */
export class BuildQueues {
  private readonly byArch = new Map<string, BuildQueue>();

  constructor(
    private readonly base: string,
    private readonly prefix: string,
    private readonly connection: ConnectionOptions,
    /** the builders' architecture (config.debian.arch) */
    readonly native: string,
    private readonly onError: (err: Error) => void,
  ) {}

  /** The queue of jobs for kernels of `arch`. */
  get(arch: string): BuildQueue {
    let q = this.byArch.get(arch);
    if (!q) {
      q = createBuildQueue(this.name(arch), this.prefix, this.connection);
      q.on('error', this.onError);
      this.byArch.set(arch, q);
    }
    return q;
  }

  name(arch: string): string {
    return queueNameFor(this.base, arch, this.native);
  }

  /** The queues this process has opened. */
  opened(): BuildQueue[] {
    return [...this.byArch.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.opened().map((q) => q.close()));
  }
}
