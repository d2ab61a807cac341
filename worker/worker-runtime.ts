import { join } from 'node:path';
import type { Worker } from 'bullmq';
import type { BuildPlan } from '../lib/build-plan.js';
import type { Core } from '../lib/core.js';
import { ArtifactSigner } from '../lib/signing/artifact-signer.js';
import { startBuildWorker } from './build-worker.js';
import { LABEL_APP, LABEL_WORKER, type ContainerClient } from './container-client.js';
import { DockerContainerClient } from './docker-container-client.js';
import { acquireWorkerLease } from './worker-lease.js';

export interface WorkerRuntime {
  worker: Worker<BuildPlan, { key: string }>;
  containers: ContainerClient;
  close(): Promise<void>;
}

/** A build worker on top of a Core, with its Docker client; `close()` waits for running builds. */
export async function startWorkerRuntime(core: Core, opts: { containers?: ContainerClient; runLabel?: string } = {}): Promise<WorkerRuntime> {
  const { config } = core;
  const containers = opts.containers ?? new DockerContainerClient(config.dockerSocket, { volumeDir: join(config.dataDir, 'volumes') });
  await containers.ping();
  // Before reaping: only one live worker may own this id's containers.
  const lease = await acquireWorkerLease(core.redis, config.redis.prefix, config.build.workerId);
  const worker = await startBuildWorker({
    queueName: config.redis.queue,
    prefix: config.redis.prefix,
    connection: core.redis,
    concurrency: config.build.concurrency,
    records: core.records,
    logs: core.logs,
    metrics: core.metrics,
    pipeline: {
      containers,
      debs: core.debs,
      headers: core.headers,
      images: () => core.service.images(),
      sources: core.sources,
      builderScript: core.builderScript,
      store: core.store,
      signer: new ArtifactSigner(core.keys, config.builderId),
      limits: config.build,
      workerId: config.build.workerId,
      ...(opts.runLabel ? { runLabel: opts.runLabel } : {}),
      log: core.log.child({ component: 'worker' }),
    },
  });
  let closing: Promise<void> | undefined;
  return {
    worker,
    containers,
    close() {
      // Running builds finish first; then nothing of ours is left behind, and
      // only then may another worker take the id.
      closing ??= worker
        .close()
        .then(() => containers.reap({ [LABEL_APP]: 'kpython', [LABEL_WORKER]: config.build.workerId }))
        .then(() => undefined)
        .finally(() => lease.release());
      return closing;
    },
  };
}
