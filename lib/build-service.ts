import type { KernelResolver } from './archive-resolver.js';
import type { BuildStore } from './store/build-store.js';
import { makeBuildPlan, type BuildPlan, type HeaderSource } from './build-plan.js';
import { BUILD_JOB, type BuildQueue } from './build-queue.js';
import type { BuildRecord, BuildRecords, BuildState } from './build-records.js';
import type { BuildRequest } from './build-request.js';
import { listBuilderImages, type BuilderImage } from './builder-images.js';
import { KpyError } from './errors.js';
import { withRedisMutex } from './redis-mutex.js';
import type { Redis } from 'ioredis';
import type { HeadersStore } from './headers/headers-store.js';
import type { KernelCompiler } from './kernel-compiler.js';
import type { KernelConfigProbe } from './kernel-config-probe.js';
import type { Metrics } from './metrics.js';
import { selectToolchain } from './toolchain-select.js';

export interface BuildServiceDeps {
  resolver: KernelResolver;
  queue: BuildQueue;
  /** the queue of a target architecture (lib/build-targets.ts); without it every job goes to `queue` */
  queueFor?: (arch: string) => BuildQueue;
  records: BuildRecords;
  store: BuildStore;
  metrics: Metrics;
  sourcesDigest: string;
  builderScriptDigest: string;
  dataDir: string;
  probe: KernelConfigProbe;
  headers: HeadersStore;
  maxQueue: number;
  /** the lock that makes "count the queue, then add" atomic across API processes */
  admission: { redis: Redis; key: string };
}

export interface SubmitResult {
  outcome: 'cached' | 'queued' | 'joined';
  build: BuildRecord;
}

const JOB_STATE: Record<string, BuildState> = {
  waiting: 'queued',
  'waiting-children': 'queued',
  delayed: 'queued',
  prioritized: 'queued',
  active: 'running',
  completed: 'succeeded',
  failed: 'failed',
};

/**
 * Request → resolved inputs → build key → cached artifact, the running job
 * of the same key, or a new job. Everything that can be refused is refused
 * here, before any container exists.
 */
/** BullMQ priority of prebuild jobs (1 is the highest; jobs without one go before all prioritized jobs). */
export const PREBUILD_PRIORITY = 1000;
/** How many prebuild jobs may wait at once: every release of a few suites, with room. */
const PREBUILD_MAX_QUEUE = 2000;

export class BuildService {
  constructor(private readonly d: BuildServiceDeps) {}

  /**
   * Resolve a request to its exact inputs and toolchain. The kernel's compiler
   * comes from its own `.config` (the Debian headers package, or the upload);
   * `cachedOnly` answers undefined instead of downloading a package to learn it.
   */
  async plan(req: BuildRequest): Promise<BuildPlan>;
  async plan(req: BuildRequest, opts: { cachedOnly: true }): Promise<BuildPlan | undefined>;
  async plan(req: BuildRequest, opts: { cachedOnly?: boolean } = {}): Promise<BuildPlan | undefined> {
    let source: HeaderSource;
    let compiler: KernelCompiler;
    let arch: string;
    if (req.headers !== undefined) {
      const id = req.headers.replace(/^sha256:/, '');
      const upload = await this.d.headers.get(id);
      if (!upload) {
        throw new KpyError('HEADERS_NOT_FOUND', `no uploaded headers ${req.headers}; upload them with POST /v1/headers first`);
      }
      source = { kind: 'upload', upload };
      compiler = upload.compiler;
      arch = upload.arch;
    } else {
      if (req.kernel === undefined) throw new KpyError('VALIDATION_FAILED', 'name a "kernel" or uploaded "headers"');
      const resolution = await this.d.resolver.resolve({
        release: req.kernel,
        ...(req.version !== undefined ? { version: req.version } : {}),
      });
      const headersPkg = resolution.packages[0];
      if (!headersPkg) throw new KpyError('KERNEL_NOT_FOUND', `no header package for ${req.kernel}`);
      const facts = opts.cachedOnly ? await this.d.probe.peek(headersPkg) : await this.d.probe.facts(headersPkg, resolution.release);
      if (!facts) return undefined;
      source = { kind: 'debian', resolution };
      compiler = facts.compiler;
      arch = resolution.arch;
    }
    if (req.arch !== undefined && req.arch !== arch) {
      throw new KpyError('VALIDATION_FAILED', `the kernel ${req.kernel ?? req.headers} is for ${arch}, not ${req.arch}`, { details: { arch, requested: req.arch } });
    }
    const choice = selectToolchain(await this.images(), compiler, arch);
    return makeBuildPlan({
      source,
      image: choice.image,
      kernelCompiler: compiler,
      toolchainMatch: choice.match,
      sourcesDigest: this.d.sourcesDigest,
      builderScriptDigest: this.d.builderScriptDigest,
      force: req.force,
    });
  }

  private imageCache: { at: number; images: Promise<BuilderImage[]> } | undefined;

  /** The recorded builder images, re-read every few seconds (setup may add one). */
  images(): Promise<BuilderImage[]> {
    if (!this.imageCache || Date.now() - this.imageCache.at > 5000) {
      const images = listBuilderImages(this.d.dataDir);
      images.catch(() => {
        this.imageCache = undefined;
      });
      this.imageCache = { at: Date.now(), images };
    }
    return this.imageCache.images;
  }

  /**
   * `prebuild` jobs (the archive watcher's backlog) carry a BullMQ priority,
   * so every person's request (no priority) runs first; a person asking for
   * a build the backlog holds lifts it to the front.
   */
  async submit(req: BuildRequest, opts: { origin?: 'person' | 'prebuild' } = {}): Promise<SubmitResult> {
    const prebuild = opts.origin === 'prebuild';
    const plan = await this.plan(req);
    const { key } = plan;
    if (!plan.force && (await this.d.store.has(key))) {
      this.d.metrics.requests.inc({ outcome: 'cached' });
      return { outcome: 'cached', build: await this.requireStatus(key) };
    }
    // Join, count and add under one lock: concurrent requests can never push the queue past maxQueue.
    const { redis, key: lockKey } = this.d.admission;
    const queue = this.queueOf(plan.inputs.arch);
    return withRedisMutex(redis, lockKey, async () => {
      const existing = await queue.getJob(key);
      if (existing) {
        const state = await existing.getState();
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') {
          if (!prebuild && state === 'prioritized') await existing.changePriority({ priority: 0 }).catch(() => undefined);
          this.d.metrics.requests.inc({ outcome: 'joined' });
          return { outcome: 'joined' as const, build: await this.requireStatus(key) };
        }
        await existing.remove().catch(() => undefined);
      }
      // People are limited by what people queued; the prebuild backlog by its own count (prioritized jobs).
      const counts = await queue.getJobCounts(...(prebuild ? (['prioritized'] as const) : (['waiting', 'delayed'] as const)));
      const queued = Object.values(counts).reduce((a, b) => a + b, 0);
      if (queued >= (prebuild ? PREBUILD_MAX_QUEUE : this.d.maxQueue)) throw new KpyError('QUEUE_FULL', `${queued} builds are queued; try again later`);
      await this.d.records.update(key, {
        state: 'queued',
        stage: 'queued',
        progress: 0,
        release: plan.inputs.headers.release,
        suite: plan.source.kind === 'debian' ? plan.source.resolution.packages[0]?.suite : undefined,
        inputs: plan.inputs,
        toolchain: { image: plan.image.name, compiler: plan.image.compilerVersion, kernelCompiler: plan.kernelCompiler.text, match: plan.toolchainMatch },
        createdAt: new Date().toISOString(),
        startedAt: undefined,
        finishedAt: undefined,
        error: undefined,
      });
      await queue.add(BUILD_JOB, plan, { jobId: key, ...(prebuild ? { priority: PREBUILD_PRIORITY } : {}) });
      this.d.metrics.requests.inc({ outcome: 'queued' });
      return { outcome: 'queued' as const, build: await this.requireStatus(key) };
    });
  }

  /** The build's state: the store for finished builds, the queue for live ones, the record for details. */
  async status(id: string): Promise<BuildRecord | undefined> {
    const [record, meta] = await Promise.all([this.d.records.get(id), this.d.store.meta(id)]);
    // A finished record is the truth: every (re)submission sets the record to
    // queued before it adds a job, so only a live or missing record needs the
    // queue's word (a job the record does not know yet, or one BullMQ failed
    // behind our back). That keeps a finished build's status at one Redis read.
    const live = !record || record.state === 'queued' || record.state === 'running';
    const job = live ? await this.queueOf(record?.inputs?.arch).getJob(id) : undefined;
    const jobState = job ? JOB_STATE[await job.getState()] : undefined;
    if (!record && !meta) return undefined;
    const base: BuildRecord = record ?? { id, state: 'succeeded' };
    if (jobState === 'queued' || jobState === 'running') return { ...base, state: jobState };
    // The queue failed the job without our worker's catch running (BullMQ's
    // stall check after a crash): the record would say running forever.
    if (!meta && jobState === 'failed' && (base.state === 'running' || base.state === 'queued')) {
      return {
        ...base,
        state: 'failed',
        error: base.error ?? { code: 'WORKER_LOST', message: `the worker running this build stopped responding (${job?.failedReason ?? 'lost'}); request it again` },
      };
    }
    if (meta && base.state !== 'failed') return { ...base, state: 'succeeded', meta, stage: 'done', progress: 100 };
    if (meta) return { ...base, meta };
    return base;
  }

  /** The queue a build of `arch` goes to (issue 9: one per target architecture). */
  queueOf(arch: string | undefined): BuildQueue {
    return arch && this.d.queueFor ? this.d.queueFor(arch) : this.d.queue;
  }

  private async requireStatus(id: string): Promise<BuildRecord> {
    const s = await this.status(id);
    if (!s) throw new KpyError('INTERNAL', `build ${id} vanished`);
    return s;
  }
}
