import type { KernelResolver } from './archive-resolver.js';
import type { ArtifactStore } from './artifact-store.js';
import { makeBuildPlan, type BuildPlan } from './build-plan.js';
import { BUILD_JOB, type BuildQueue } from './build-queue.js';
import type { BuildRecord, BuildRecords, BuildState } from './build-records.js';
import type { BuildRequest } from './build-request.js';
import { readBuilderImage } from './builder-images.js';
import { KpyError } from './errors.js';
import type { Metrics } from './metrics.js';

export interface BuildServiceDeps {
  resolver: KernelResolver;
  queue: BuildQueue;
  records: BuildRecords;
  store: ArtifactStore;
  metrics: Metrics;
  sourcesDigest: string;
  builderScriptDigest: string;
  dataDir: string;
  imageName: string;
  maxQueue: number;
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
export class BuildService {
  constructor(private readonly d: BuildServiceDeps) {}

  async plan(req: BuildRequest): Promise<BuildPlan> {
    if (req.headers !== undefined) {
      throw new KpyError('NOT_IMPLEMENTED', 'builds from uploaded headers are not available yet; name a Debian "kernel"');
    }
    if (req.kernel === undefined) throw new KpyError('VALIDATION_FAILED', 'name a "kernel"');
    const resolution = await this.d.resolver.resolve({
      release: req.kernel,
      ...(req.version !== undefined ? { version: req.version } : {}),
    });
    const image = await readBuilderImage(this.d.dataDir, this.d.imageName);
    return makeBuildPlan({
      resolution,
      image,
      sourcesDigest: this.d.sourcesDigest,
      builderScriptDigest: this.d.builderScriptDigest,
      force: req.force,
    });
  }

  async submit(req: BuildRequest): Promise<SubmitResult> {
    const plan = await this.plan(req);
    const { key } = plan;
    if (!plan.force && (await this.d.store.has(key))) {
      this.d.metrics.requests.inc({ outcome: 'cached' });
      return { outcome: 'cached', build: await this.requireStatus(key) };
    }
    const existing = await this.d.queue.getJob(key);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') {
        this.d.metrics.requests.inc({ outcome: 'joined' });
        return { outcome: 'joined', build: await this.requireStatus(key) };
      }
      await existing.remove().catch(() => undefined);
    }
    const counts = await this.d.queue.getJobCounts('waiting', 'delayed', 'prioritized');
    const queued = Object.values(counts).reduce((a, b) => a + b, 0);
    if (queued >= this.d.maxQueue) throw new KpyError('QUEUE_FULL', `${queued} builds are queued; try again later`);
    await this.d.records.update(key, {
      state: 'queued',
      stage: 'queued',
      progress: 0,
      release: plan.inputs.headers.release,
      inputs: plan.inputs,
      createdAt: new Date().toISOString(),
      startedAt: undefined,
      finishedAt: undefined,
      error: undefined,
    });
    await this.d.queue.add(BUILD_JOB, plan, { jobId: key });
    this.d.metrics.requests.inc({ outcome: 'queued' });
    return { outcome: 'queued', build: await this.requireStatus(key) };
  }

  /** The build's state: the store for finished builds, the queue for live ones, the record for details. */
  async status(id: string): Promise<BuildRecord | undefined> {
    const [record, meta, job] = await Promise.all([
      this.d.records.get(id),
      this.d.store.meta(id),
      this.d.queue.getJob(id),
    ]);
    const jobState = job ? JOB_STATE[await job.getState()] : undefined;
    if (!record && !meta) return undefined;
    const base: BuildRecord = record ?? { id, state: 'succeeded' };
    if (jobState === 'queued' || jobState === 'running') return { ...base, state: jobState };
    if (meta && base.state !== 'failed') return { ...base, state: 'succeeded', meta, stage: 'done', progress: 100 };
    if (meta) return { ...base, meta };
    return base;
  }

  private async requireStatus(id: string): Promise<BuildRecord> {
    const s = await this.status(id);
    if (!s) throw new KpyError('INTERNAL', `build ${id} vanished`);
    return s;
  }
}
