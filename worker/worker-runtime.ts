import { join } from 'node:path';
import type { Worker } from 'bullmq';
import type { BuildPlan } from '../lib/build-plan.js';
import type { Core } from '../lib/core.js';
import { ArtifactSigner } from '../lib/signing/artifact-signer.js';
import { startBuildWorker } from './build-worker.js';
import { LABEL_APP, LABEL_WORKER, type ContainerClient } from './container-client.js';
import { DockerContainerClient } from './docker-container-client.js';
import { requeueAbandoned } from './requeue-abandoned.js';
import { acquireWorkerLease } from './worker-lease.js';

export interface WorkerRuntime {
  worker: Worker<BuildPlan, { key: string }>;
  containers: ContainerClient;
  /**
   * Stop taking jobs and wait up to `graceMs` for running builds; past that,
   * abandon them (their jobs stay active, BullMQ's stall check hands them to
   * a live worker) and remove this worker's containers anyway. Idempotent.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** How often any worker removes containers past their deadline, whoever started them. */
const EXPIRED_REAP_MS = 15_000;
/** Inside the 30 s shutdown deadline of lib/shutdown.ts, with time left to reap. */
export const DEFAULT_CLOSE_GRACE_MS = 20_000;

/** A build worker on top of a Core, with its Docker client. */
export async function startWorkerRuntime(core: Core, opts: { containers?: ContainerClient; runLabel?: string } = {}): Promise<WorkerRuntime> {
  const { config } = core;
  const log = core.log.child({ component: 'worker' });
  const containers = opts.containers ?? new DockerContainerClient(config.dockerSocket, { volumeDir: join(config.dataDir, 'volumes') });
  await containers.ping();
  // Before reaping: only one live worker may own this id's containers.
  const lease = await acquireWorkerLease(core.redis, config.redis.prefix, config.build.workerId);
  if (lease.tookOverFrom) log.warn({ workerId: config.build.workerId, deadHolder: lease.tookOverFrom }, 'took over the lease of a dead worker with this id');
  const reapExpired = () =>
    containers.reapExpired(Date.now()).then(
      (r) => {
        if (r.containers || r.volumes) log.warn(r, 'removed build containers past their deadline');
      },
      (err: unknown) => log.error({ err }, 'reaping expired containers failed'),
    );
  await reapExpired();
  const reaper = setInterval(() => void reapExpired(), EXPIRED_REAP_MS);
  reaper.unref();
  // Indexes for what the store holds (builds published before the apt repository, or by a crashed worker).
  await core.publishApt().catch((err: unknown) => log.error({ err }, 'regenerating the apt indexes failed'));
  let abandoned = false;
  const build = await startBuildWorker({
    queueName: config.redis.queue,
    prefix: config.redis.prefix,
    connection: core.redis,
    concurrency: config.build.concurrency,
    records: core.records,
    logs: core.logs,
    metrics: core.metrics,
    abandoned: () => abandoned,
    pipeline: {
      containers,
      debs: core.debs,
      headers: core.headers,
      resolver: core.resolver,
      images: () => core.service.images(),
      sources: core.sources,
      builderScript: core.builderScript,
      store: core.store,
      signer: new ArtifactSigner(core.keys, config.builderId),
      publishApt: core.publishApt,
      limits: config.build,
      ...(config.objectCache ? { objectCache: config.objectCache } : {}),
      workerId: config.build.workerId,
      ...(opts.runLabel ? { runLabel: opts.runLabel } : {}),
      log,
    },
  });
  const { worker } = build;
  if (lease.tookOverFrom) {
    // The dead predecessor's containers are gone (reaped at start); its jobs go back to the queue now.
    const moved = await requeueAbandoned(core.queue, core.records, config.build.workerId, log).catch((err: unknown) => {
      log.error({ err }, 'requeueing the dead worker\'s builds failed; the stall check will');
      return [];
    });
    if (moved.length) log.warn({ builds: moved }, 'handed the dead worker\'s builds back to the queue');
  }
  const ours = { [LABEL_APP]: 'kpython', [LABEL_WORKER]: config.build.workerId };
  let closing: Promise<void> | undefined;
  return {
    worker,
    containers,
    close({ graceMs = DEFAULT_CLOSE_GRACE_MS } = {}) {
      closing ??= (async () => {
        clearInterval(reaper);
        try {
          // Take no new job, then give running builds their grace. (BullMQ's close()
          // cannot be forced once a graceful one is under way, so wait here.)
          await worker.pause(true).catch((err: unknown) => log.warn({ err }, 'pausing the worker failed'));
          let timer: NodeJS.Timeout | undefined;
          const inTime = await Promise.race([
            build.idle().then(() => true),
            new Promise<boolean>((resolve) => {
              timer = setTimeout(() => resolve(false), graceMs);
            }),
          ]);
          clearTimeout(timer);
          if (!inTime) {
            // A 30 min build against a 30 s shutdown: leave the job to the stall check, not to a failure record.
            abandoned = true;
            log.warn({ graceMs }, 'running builds did not finish in time: abandoning them to another worker');
          }
          await worker.close(!inTime).catch((err: unknown) => log.error({ err }, 'closing the worker failed'));
          // Nothing of ours is left behind, and only then may another worker take the id.
          await containers.reap(ours);
        } finally {
          await lease.release().catch(() => undefined);
        }
      })();
      return closing;
    },
  };
}
