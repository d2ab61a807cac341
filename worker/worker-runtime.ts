import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { BUILD_OPTIONS, type BuildPlan } from '../lib/build-plan.js';
import type { Core } from '../lib/core.js';
import { ArtifactSigner } from '../lib/signing/artifact-signer.js';
import { startBuildWorker, type BuildWorker } from './build-worker.js';
import { LABEL_APP, LABEL_WORKER, type ContainerClient } from './container-client.js';
import { DockerContainerClient } from './docker-container-client.js';
import { requeueAbandoned } from './requeue-abandoned.js';
import { sourcesTar } from './input-tar.js';
import { targetsOf } from '../lib/build-targets.js';
import { WorkerSlots } from './worker-slots.js';
import { acquireWorkerLease } from './worker-lease.js';

export interface WorkerRuntime {
  /** the BullMQ worker of the first target (workers.length > 1 when it serves several) */
  worker: Worker<BuildPlan, { key: string }>;
  /** one BullMQ worker per target queue this process serves (lib/build-targets.ts) */
  workers: Worker<BuildPlan, { key: string }>[];
  /** the target architectures it takes jobs for */
  targets: string[];
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
  // The sources' part of every input tar, packed before the first build needs it (worker/input-tar.ts).
  sourcesTar(core.sources, new Date(BUILD_OPTIONS.sourceDateEpoch * 1000)).catch((err: unknown) =>
    log.error({ err }, 'packing the sources failed; the first build packs them again'),
  );
  let abandoned = false;
  // Routing by target: a queue per architecture its images compile for.
  const targets = config.build.targets.length ? [...config.build.targets] : targetsOf(await core.service.images());
  if (!targets.length) throw new Error('this worker has no builder images (run `npm run setup`) and no KPY_WORKER_TARGETS');
  const slots = targets.length > 1 ? new WorkerSlots(config.build.concurrency) : undefined;
  const builds: BuildWorker[] = [];
  for (const target of targets) {
    builds.push(await startBuildWorker({
      queueName: core.queues.name(target),
      ...(slots ? { slots } : {}),
      prefix: config.redis.prefix,
      connection: core.redis,
      concurrency: config.build.concurrency,
      lockMs: config.build.lockMs,
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
        signer: new ArtifactSigner(core.keys, config.builderId, config.build.workerId),
        publishApt: core.publishApt,
        limits: config.build,
        ...(config.objectCache ? { objectCache: config.objectCache } : {}),
        workerId: config.build.workerId,
        ...(opts.runLabel ? { runLabel: opts.runLabel } : {}),
        log,
      },
    }));
  }
  const workers = builds.map((b) => b.worker);
  const worker = workers[0] as Worker<BuildPlan, { key: string }>;
  const build = { idle: () => Promise.all(builds.map((b) => b.idle())).then(() => undefined) };
  // No pause/resume of the other queues while the slots are full: a BullMQ
  // worker paused between fetching a job and running it left that job
  // active and unprocessed (seen here). A job fetched without a free slot
  // goes back to the queue instead (build-worker.ts), for whoever is free.
  log.info({ targets, queues: targets.map((t) => core.queues.name(t)) }, 'serving build targets');
  if (lease.tookOverFrom) {
    // The dead predecessor's containers are gone (reaped at start); its jobs go back to the queue now.
    const moved = (
      await Promise.all(
        targets.map((t) =>
          requeueAbandoned(core.queues.get(t), core.records, config.build.workerId, log).catch((err: unknown) => {
            log.error({ err }, 'requeueing the dead worker\'s builds failed; the stall check will');
            return [];
          }),
        ),
      )
    ).flat();
    if (moved.length) log.warn({ builds: moved }, 'handed the dead worker\'s builds back to the queue');
  }
  const ours = { [LABEL_APP]: 'kpython', [LABEL_WORKER]: config.build.workerId };
  let closing: Promise<void> | undefined;
  return {
    worker,
    workers,
    targets,
    containers,
    close({ graceMs = DEFAULT_CLOSE_GRACE_MS } = {}) {
      closing ??= (async () => {
        clearInterval(reaper);
        try {
          // Take no new job, then give running builds their grace. (BullMQ's close()
          // cannot be forced once a graceful one is under way, so wait here.)
          await Promise.all(workers.map((w) => w.pause(true).catch((err: unknown) => log.warn({ err }, 'pausing the worker failed'))));
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
          await Promise.all(workers.map((w) => w.close(!inTime).catch((err: unknown) => log.error({ err }, 'closing the worker failed'))));
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
