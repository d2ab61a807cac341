import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { BuildPlan } from '../lib/build-plan.js';
import { BUILD_JOB } from '../lib/build-queue.js';
import type { BuildRecords } from '../lib/build-records.js';
import { toKpyError } from '../lib/errors.js';
import type { LogBus } from '../lib/log-bus.js';
import type { Metrics } from '../lib/metrics.js';
import { runBuild, type PipelineDeps } from './build-pipeline.js';
import { LABEL_APP, LABEL_WORKER } from './container-client.js';
import type { WorkerSlots } from './worker-slots.js';

export interface BuildWorkerDeps {
  queueName: string;
  prefix: string;
  connection: ConnectionOptions;
  concurrency: number;
  /** job lock and stalled-check interval (BullMQ's default: 30 s) */
  lockMs?: number;
  pipeline: PipelineDeps;
  records: BuildRecords;
  logs: LogBus;
  metrics: Metrics;
  /** true once shutdown gave up waiting: a build failing then was cut by us, not by its own fault */
  abandoned?: () => boolean;
  /** the process's build slots when it serves several target queues (worker-slots.ts) */
  slots?: WorkerSlots;
}

/** BullMQ's reason for a job whose worker lost its lock too often (crash, SIGKILL, a stalled event loop). */
const STALLED = /stalled more than allowable limit/;

/**
 * The BullMQ worker: reaps this worker's orphaned containers, then runs each
 * job through the build pipeline, publishing stage, progress and log lines.
 * Failures whose code is retryable (error-codes.ts) are retried with
 * backoff; all others are final (UnrecoverableError); a crashed worker's job
 * is picked up again through BullMQ's stalled-job check.
 */
export interface BuildWorker {
  worker: Worker<BuildPlan, { key: string }>;
  /** resolves once no build runs in this process (for a bounded, graceful shutdown) */
  idle(): Promise<void>;
}

export async function startBuildWorker(d: BuildWorkerDeps): Promise<BuildWorker> {
  const { pipeline: p } = d;
  const reaped = await p.containers.reap({ [LABEL_APP]: 'kpython', [LABEL_WORKER]: p.workerId });
  if (reaped.containers || reaped.volumes || reaped.inUse.length) p.log.warn(reaped, 'removed orphaned build containers and volumes');

  const processor = async (job: Job<BuildPlan, { key: string }>) => {
    const plan = job.data;
    const key = plan.key;
    const started = Date.now();
    const timings: Record<string, number> = {};
    let current: { stage: string; at: number } | undefined;
    const closeStage = () => {
      if (current) timings[current.stage] = Date.now() - current.at;
    };
    // The live log is a view: failing to end it must not change the build's outcome.
    const endLog = (state: string) => d.logs.end(key, state).catch((err: unknown) => p.log.warn({ err, buildId: key.slice(0, 12) }, 'cannot end the live log'));
    await d.logs.reset(key);
    await d.records.update(key, { state: 'running', stage: 'fetch', progress: 1, worker: p.workerId, startedAt: new Date().toISOString(), error: undefined, timings: {} });
    try {
      await runBuild(plan, p, {
        stage: async (stage, progress) => {
          closeStage();
          current = { stage, at: Date.now() };
          await d.records.update(key, { stage, progress, timings });
          await job.updateProgress({ stage, progress });
        },
        line: (text) => d.logs.append(key, text),
        containerStarted: async () => {
          d.metrics.containers.inc();
          await d.records.countContainer(key);
        },
      }, job.id);
      closeStage();
      await d.records.update(key, { state: 'succeeded', stage: 'done', progress: 100, finishedAt: new Date().toISOString(), timings });
      await endLog('succeeded');
      d.metrics.builds.inc({ state: 'succeeded', code: '' });
      d.metrics.duration.observe({ state: 'succeeded' }, (Date.now() - started) / 1000);
      return { key };
    } catch (err) {
      // Abandoned at shutdown: record nothing; the job keeps its lock until it
      // expires, and the stall check hands it to a live worker.
      if (d.abandoned?.()) return new Promise<never>(() => undefined);
      const e = toKpyError(err);
      closeStage();
      // A transient failure (the archive, Docker, Redis) is tried again while attempts are left;
      // the build stays queued meanwhile. Anything else is final.
      if (e.retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
        await d.records.update(key, { state: 'queued', stage: 'retrying', error: e.toJSON(), timings });
        p.log.warn({ buildId: key.slice(0, 12), code: e.code, attempt: job.attemptsMade + 1 }, 'transient build failure; retrying');
        throw new Error(`${e.code}: ${e.message}`);
      }
      await d.records.update(key, { state: 'failed', error: e.toJSON(), finishedAt: new Date().toISOString(), timings });
      await endLog('failed');
      d.metrics.builds.inc({ state: 'failed', code: e.code });
      d.metrics.duration.observe({ state: 'failed' }, (Date.now() - started) / 1000);
      throw new UnrecoverableError(`${e.code}: ${e.message}`);
    }
  };

  const running = new Set<Promise<unknown>>();
  const worker = new Worker<BuildPlan, { key: string }>(
    d.queueName,
    async (job, token) => {
      if (job.name !== BUILD_JOB) throw new UnrecoverableError(`unknown job ${job.name}`);
      if (d.slots && !d.slots.tryTake()) {
        // Another target's queue holds this worker's slots: hand the job back
        // (delayed, shown as queued) for any capable worker, this one included
        // once a slot is free.
        await job.moveToDelayed(Date.now() + 2000, token);
        throw new DelayedError();
      }
      const p = processor(job).finally(() => d.slots?.give());
      const tracked = p.catch(() => undefined);
      running.add(tracked);
      void tracked.finally(() => running.delete(tracked));
      return p;
    },
    { connection: d.connection, prefix: d.prefix, concurrency: d.concurrency, maxStalledCount: 1, ...(d.lockMs ? { lockDuration: d.lockMs, stalledInterval: d.lockMs } : {}) },
  );
  worker.on('error', (err) => p.log.error({ err }, 'worker error'));
  // A job failed by the stall check never ran our catch: record it, so it shows failed, not running.
  worker.on('failed', (job, err) => {
    if (!job?.id || !STALLED.test(err.message)) return;
    void markWorkerLost(d, job.id, err.message).catch((e: unknown) => p.log.error({ err: e, buildId: job.id }, 'cannot record a stalled build'));
  });
  await worker.waitUntilReady();
  return {
    worker,
    async idle() {
      while (running.size) await Promise.all(running);
    },
  };
}

export async function markWorkerLost(d: Pick<BuildWorkerDeps, 'records' | 'logs' | 'metrics'>, key: string, reason: string): Promise<void> {
  const rec = await d.records.get(key);
  if (rec && rec.state !== 'queued' && rec.state !== 'running') return;
  await d.records.update(key, {
    state: 'failed',
    error: { code: 'WORKER_LOST', message: `the worker running this build stopped responding (${reason}); request it again` },
    finishedAt: new Date().toISOString(),
  });
  await d.logs.end(key, 'failed');
  d.metrics.builds.inc({ state: 'failed', code: 'WORKER_LOST' });
}
