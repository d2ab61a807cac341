import { Queue, type ConnectionOptions } from 'bullmq';
import type { BuildPlan } from './build-plan.js';

export const BUILD_JOB = 'build';

export type BuildQueue = Queue<BuildPlan, { key: string }, typeof BUILD_JOB>;

/** The build queue; job id = build key, so identical requests share one job. */
export function createBuildQueue(name: string, prefix: string, connection: ConnectionOptions): BuildQueue {
  return new Queue<BuildPlan, { key: string }, typeof BUILD_JOB>(name, {
    connection,
    prefix,
    defaultJobOptions: {
      // Retries happen only for retryable codes (the worker turns the rest into UnrecoverableError).
      attempts: 3,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    },
  });
}
