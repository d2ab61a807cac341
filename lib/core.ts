import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { DebianArchiveResolver, type KernelResolver } from './archive-resolver.js';
import type { BuildQueue } from './build-queue.js';
import { BuildQueues } from './build-targets.js';
import { BuildRecords } from './build-records.js';
import { BuildService } from './build-service.js';
import { redactUrl, type Config } from './config.js';
import { DebCache } from './deb-cache.js';
import { KpyError } from './errors.js';
import type { HeadersStore } from './headers/headers-store.js';
import { KernelConfigProbe } from './kernel-config-probe.js';
import { LogBus } from './log-bus.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { sha256Hex } from './sha256.js';
import { ensureSigningKeys, type SigningKeys } from './signing/signing-keys.js';
import { ensureAptSigningKey, type AptSigningKey } from './signing/apt-signing-key.js';
import { AptRepository } from './packaging/apt-repository.js';
import { withRedisMutex } from './redis-mutex.js';
import type { BuildStore } from './store/build-store.js';
import { openStores } from './store/open-stores.js';
import { snapshotSources, type SourceSnapshot } from './source-tree.js';

/** The script every build container runs, shipped with the service. */
export const BUILDER_SCRIPT_PATH = fileURLToPath(new URL('../../docker/build-in-container.sh', import.meta.url));

/** What both the API and the worker stand on; created once per process. */
export interface Core {
  config: Config;
  log: Logger;
  redis: Redis;
  resolver: KernelResolver;
  store: BuildStore;
  records: BuildRecords;
  logs: LogBus;
  metrics: Metrics;
  /** the queue of the builders' own architecture (`queues.get(config.debian.arch)`) */
  queue: BuildQueue;
  /** one queue per target architecture (lib/build-targets.ts) */
  queues: BuildQueues;
  service: BuildService;
  debs: DebCache;
  headers: HeadersStore;
  sources: SourceSnapshot;
  builderScript: Buffer;
  keys: SigningKeys;
  /** the apt repository's OpenPGP key, generated into the data directory on first use */
  aptKey(): Promise<AptSigningKey>;
  apt: AptRepository;
  /** regenerate the apt indexes from the store, one process at a time */
  publishApt(): Promise<{ suites: string[] }>;
  close(): Promise<void>;
}

export async function createCore(
  config: Config,
  log: Logger,
  opts: { resolver?: KernelResolver; metrics?: Metrics } = {},
): Promise<Core> {
  // Named, so CLIENT LIST shows which connections are this service's (and how many).
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 5000, connectionName: `${config.redis.prefix}:core` });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new KpyError('SERVICE_UNAVAILABLE', `Redis at ${redactUrl(config.redis.url)} is not answering (${(err as Error).message}); run \`npm run setup\``, {
      cause: err,
    });
  }
  const metrics = opts.metrics ?? new Metrics();
  const resolver = opts.resolver ?? new DebianArchiveResolver(config.debian, join(config.cacheDir, 'index'), log);
  const debs = new DebCache(join(config.cacheDir, 'debs'));
  // fs: the data directory; s3: one bucket shared by every API and worker (lib/store/).
  const stores = await openStores(config).catch((err: unknown) => {
    redis.disconnect();
    throw err;
  });
  const { store, headers } = stores;
  log.info({ store: stores.description }, 'store opened');
  // What a crashed commit left (its writer is gone) goes before anything reads the store.
  const swept = await store.sweep();
  if (swept.removed.length) log.warn({ removed: swept.removed }, 'removed scratch directories of crashed store commits');
  const records = new BuildRecords(redis, config.redis.prefix);
  const logs = new LogBus(redis, config.redis.prefix, undefined, undefined, log.child({ component: 'logs' }));
  // A Redis outage surfaces as 'error' events; unheard, one would end the process.
  const queues = new BuildQueues(config.redis.queue, config.redis.prefix, redis, config.debian.arch, (err) => log.warn({ err: err.message }, 'build queue: Redis error'));
  const queue = queues.get(config.debian.arch);
  const sources = await snapshotSources(config.sourceDir);
  const builderScript = await readFile(BUILDER_SCRIPT_PATH);
  const keys = await ensureSigningKeys(config.dataDir, config.signing, config.keysDir);
  const service = new BuildService({
    resolver,
    queue,
    queueFor: (arch) => queues.get(arch),
    records,
    store,
    metrics,
    sourcesDigest: sources.digest,
    builderScriptDigest: sha256Hex(builderScript),
    dataDir: config.dataDir,
    probe: new KernelConfigProbe(debs, join(config.cacheDir, 'kconfig')),
    headers,
    maxQueue: config.redis.maxQueue,
    admission: { redis, key: `${config.redis.prefix}:admission:${config.redis.queue}` },
  });
  log.info({ sources: sources.digest, files: sources.files.length, sourceDir: config.sourceDir }, 'source snapshot taken');
  let aptKey: Promise<AptSigningKey> | undefined;
  const loadAptKey = () => {
    aptKey ??= ensureAptSigningKey(join(config.keysDir, 'apt-signing.asc')).catch((err: unknown) => {
      aptKey = undefined;
      throw err;
    });
    return aptKey;
  };
  const apt = new AptRepository(join(config.dataDir, 'apt'), store, loadAptKey);
  const publishApt = () => withRedisMutex(redis, `${config.redis.prefix}:apt-publish`, () => apt.publish(), { ttlMs: 60_000, waitMs: 60_000 });
  let closing: Promise<void> | undefined;
  return {
    config,
    log,
    redis,
    resolver,
    store,
    records,
    logs,
    metrics,
    queue,
    queues,
    service,
    debs,
    headers,
    sources,
    builderScript,
    keys,
    aptKey: loadAptKey,
    apt,
    publishApt,
    close() {
      closing ??= (async () => {
        await logs.flush().catch(() => undefined);
        await logs.close();
        await queues.close();
        await redis.quit().catch(() => redis.disconnect());
        stores.close();
      })();
      return closing;
    },
  };
}
