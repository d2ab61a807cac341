import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelResolver } from '../../../lib/archive-resolver.js';
import { loadConfig, type Config } from '../../../lib/config.js';
import { createCore, type Core } from '../../../lib/core.js';
import { createLogger } from '../../../lib/logger.js';
import { LABEL_RUN } from '../../../worker/container-client.js';
import { DockerContainerClient } from '../../../worker/docker-container-client.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../../worker/worker-runtime.js';
import { requireServices } from './services.js';
import { setupRedisUrl } from './setup-redis.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

export interface TestEnv {
  core: Core;
  worker?: WorkerRuntime;
  config: Config;
  runLabel: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

let sharedResolver: KernelResolver | undefined;

/**
 * A Core (and optionally a worker) isolated for one test: its own Redis key
 * prefix and queue, data directory, worker id and Docker run label.
 * The builder image record is copied from the repository's data directory.
 */
export async function makeTestEnv(opts: { sourceDir: string; env?: Record<string, string>; worker?: boolean }): Promise<TestEnv> {
  // The Redis setup started, with its password when it has one.
  const redisUrl = await setupRedisUrl();
  await requireServices(redisUrl);
  const id = randomBytes(4).toString('hex');
  const dataDir = await mkdtemp(join(tmpdir(), 'kpy-data-'));
  await cp(join(REPO_ROOT, 'data', 'images'), join(dataDir, 'images'), { recursive: true }).catch(() => {
    throw new Error('no builder image recorded in data/images: run `npm run setup` first');
  });
  const config = await loadConfig({
    KPY_REDIS_URL: redisUrl,
    KPY_REDIS_PREFIX: `kpytest-${id}`,
    KPY_QUEUE: `builds-${id}`,
    KPY_DATA_DIR: dataDir,
    // Verified downloads and index caches are shared; builds, keys and uploads are not.
    KPY_CACHE_DIR: join(REPO_ROOT, 'data', 'cache'),
    KPY_SOURCE_DIR: opts.sourceDir,
    KPY_WORKER_ID: `test-${id}`,
    KPY_LOG_LEVEL: 'warn',
    KPY_BUILD_MEMORY_MB: '2048',
    ...opts.env,
  });
  const log = createLogger(config.logLevel, 'kpython-test');
  const core = await createCore(config, log, sharedResolver ? { resolver: sharedResolver } : {});
  sharedResolver = core.resolver;
  const runLabel = `run-${id}`;
  const worker = opts.worker ? await startWorkerRuntime(core, { runLabel }).catch(async (err: unknown) => {
    await core.close();
    throw err;
  }) : undefined;
  return {
    core,
    ...(worker ? { worker } : {}),
    config,
    runLabel,
    dataDir,
    async cleanup() {
      await worker?.close();
      await new DockerContainerClient(config.dockerSocket).reap({ [LABEL_RUN]: runLabel });
      let cursor = '0';
      do {
        const [next, keys] = await core.redis.scan(cursor, 'MATCH', `${config.redis.prefix}:*`, 'COUNT', 1000);
        if (keys.length) await core.redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await core.close();
      // A build the worker abandoned at close (its grace ran out) still
      // unwinds in this process once its container is reaped, and may write
      // under the data directory (its failure log, a temporary directory)
      // while this removes it: rmdir then meets a directory that is not
      // empty (ENOTEMPTY), which fs.rm retries.
      await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** The newest `6.1.0-N-amd64` release the archive lists (what a bookworm machine runs). */
export async function currentBookwormKernel(core: Core): Promise<string> {
  const releases = await core.resolver.listReleases();
  const r = releases.map((k) => k.release).filter((k) => /^6\.1\.0-\d+-amd64$/.test(k));
  r.sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  if (!r[0]) throw new Error('the archive lists no 6.1.0-N-amd64 kernel');
  return r[0];
}

/** Poll a build until it leaves queued/running. */
export async function waitForBuild(core: Core, id: string, timeoutMs = 300_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await core.service.status(id);
    if (s && (s.state === 'succeeded' || s.state === 'failed')) return s;
    if (Date.now() > until) throw new Error(`build ${id} still ${s?.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
