import { createHash } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { pickMirrors, readHostAptSources } from './host-apt-sources.js';

const csv = (def: string) =>
  z
    .string()
    .default(def)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const int = (def: number) => z.coerce.number().int().positive().default(def);
const optionalPath = z.string().min(1).optional();

/** The environment variables the service reads, all optional. */
const EnvSchema = z.object({
  KPY_HOST: z.string().default('127.0.0.1'),
  KPY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  KPY_REDIS_URL: z.string().url().optional(),
  /** the port of setup's Redis (scripts/start-redis.sh), used when KPY_REDIS_URL is not set */
  KPY_REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6379),
  KPY_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]+$/).default('kpy'),
  KPY_QUEUE: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('builds'),
  KPY_DATA_DIR: z.string().default('./data'),
  KPY_CACHE_DIR: z.string().optional(),
  KPY_SOURCE_DIR: z.string().default('.'),
  KPY_DEBIAN_MIRROR: z.string().url().optional(),
  KPY_DEBIAN_SECURITY_MIRROR: z.string().url().optional(),
  KPY_DEBIAN_SUITES: csv('bookworm,bookworm-updates,bookworm-security,trixie,trixie-updates,trixie-security'),
  KPY_DEBIAN_COMPONENT: z.string().default('main'),
  KPY_DEBIAN_ARCH: z.string().default('amd64'),
  /** kernel architectures the resolver lists and builds for (issue 9); KPY_DEBIAN_ARCH is the builders' own */
  KPY_DEBIAN_TARGET_ARCHES: csv('amd64,arm64'),
  KPY_DEBIAN_KEYRING: z.string().default('/usr/share/keyrings/debian-archive-keyring.gpg'),
  KPY_INDEX_TTL_SEC: int(3600),
  KPY_BUILD_TIMEOUT_SEC: int(1800),
  KPY_BUILD_MEMORY_MB: int(4096),
  KPY_BUILD_PIDS: int(2048),
  KPY_BUILD_CPUS: z.coerce.number().positive().default(availableParallelism()),
  KPY_DOCKER_SOCKET: z.string().default('/var/run/docker.sock'),
  KPY_WORKER_CONCURRENCY: int(1),
  KPY_WORKER_ID: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
  /** target architectures this worker takes jobs for (default: those its builder images compile for) */
  KPY_WORKER_TARGETS: csv(''),
  KPY_MAX_BODY_BYTES: int(64 * 1024),
  KPY_MAX_UPLOAD_MB: int(512),
  KPY_MAX_HEADERS_EXPANDED_MB: int(2048),
  KPY_MAX_HEADERS_RATIO: int(100),
  KPY_MAX_HEADERS_FILES: int(200_000),
  KPY_MAX_QUEUE: int(100),
  KPY_RATE_LIMIT_PER_MIN: int(120),
  KPY_TOKENS: csv(''),
  KPY_ALLOW_UNAUTHENTICATED: z.enum(['0', '1', '']).default(''),
  KPY_MAX_LOG_FOLLOWERS: int(256),
  KPY_MAX_LOG_FOLLOWERS_PER_CLIENT: int(64),
  KPY_HOT_ARTIFACTS_MB: int(128),
  KPY_FINISHED_VIEWS_MB: int(16),
  KPY_BUILD_WORK_MB: int(4096),
  KPY_BUILD_LOG_MB: int(16),
  KPY_BUILD_OUTPUT_MB: int(64),
  /** object cache of trusted builds (issue 14), bounded; 0 = off */
  KPY_OBJECT_CACHE_MB: z.coerce.number().int().nonnegative().default(1024),
  KPY_OBJECT_CACHE_DIR: optionalPath,
  KPY_MODULE_SIGNING_KEY: optionalPath,
  KPY_MODULE_SIGNING_CERT: optionalPath,
  KPY_ARTIFACT_SIGNING_KEY: optionalPath,
  /** module signing for builds from uploaded headers: its own key + certificate, or `generate`; none by default */
  KPY_UPLOAD_SIGNING_KEY: optionalPath,
  KPY_UPLOAD_SIGNING_CERT: optionalPath,
  KPY_UPLOAD_SIGNING: z.enum(['none', 'generate']).default('none'),
  KPY_BUILDER_ID: z.string().optional(),
  // The store (issue 12): fs = the data directory; s3 = a bucket shared by every API and worker.
  /** the signing keys (generated there when missing); shared by every API and worker of a deployment */
  KPY_KEYS_DIR: z.string().min(1).optional(),
  /** a worker's job lock: a killed worker's build moves to another within about three times this */
  KPY_WORKER_LOCK_SEC: int(30),
  /** prebuild (issue 12): suites whose new kernels are built before anybody asks; empty = off */
  KPY_PREBUILD: csv(''),
  KPY_PREBUILD_FLAVOURS: csv('amd64,cloud-amd64'),
  KPY_PREBUILD_INTERVAL_SEC: int(900),
  KPY_STORE: z.enum(['fs', 's3']).default('fs'),
  KPY_S3_ENDPOINT: z.string().url().optional(),
  KPY_S3_BUCKET: z.string().min(3).optional(),
  KPY_S3_REGION: z.string().default('us-east-1'),
  KPY_S3_FORCE_PATH_STYLE: z.enum(['0', '1', '']).default(''),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  KPY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly maxBodyBytes: number;
    readonly tokens: readonly string[];
    readonly rateLimitPerMin: number;
    /** KPY_ALLOW_UNAUTHENTICATED=1: serve a non-loopback address without tokens */
    readonly allowUnauthenticated: boolean;
    /** live log (SSE) streams open at once, in all and per client address */
    readonly maxLogFollowers: number;
    readonly maxLogFollowersPerClient: number;
    /** memory for artifacts served from RAM (downloads fleets repeat) */
    readonly hotArtifactBytes: number;
    /** memory for the serialized status of finished builds (server/finished-views.ts) */
    readonly finishedViewBytes: number;
  };
  readonly redis: { readonly url: string; readonly prefix: string; readonly queue: string; readonly maxQueue: number };
  readonly dataDir: string;
  /** downloaded .debs, archive indexes, kernel .config facts: safe to share between data directories */
  readonly cacheDir: string;
  readonly sourceDir: string;
  readonly uploads: {
    /** request body (compressed) */
    readonly maxBytes: number;
    /** uncompressed tar stream */
    readonly maxExpandedBytes: number;
    /** expanded / compressed, checked once past 16 MiB expanded */
    readonly maxRatio: number;
    readonly maxFiles: number;
  };
  readonly debian: {
    readonly mirror: string;
    readonly securityMirror: string;
    readonly suites: readonly string[];
    readonly component: string;
    /** the builders' architecture: the linux-kbuild-* binaries run here */
    readonly arch: string;
    /** kernel architectures listed and built for (the builders' own first) */
    readonly targetArches: readonly string[];
    readonly keyring: string;
    readonly indexTtlMs: number;
  };
  readonly build: {
    readonly timeoutMs: number;
    readonly memoryBytes: number;
    readonly pids: number;
    readonly cpus: number;
    readonly concurrency: number;
    /** BullMQ lock duration and stalled-check interval of the worker's jobs */
    readonly lockMs: number;
    readonly workerId: string;
    /** KPY_WORKER_TARGETS; empty: every target of the worker's builder images */
    readonly targets: readonly string[];
    /** size of the container's writable work volume */
    readonly workBytes: number;
    /** build log kept (build.log and the live stream); more is cut with a note */
    readonly logBytes: number;
    /** the build's output copied out of the container */
    readonly outputBytes: number;
  };
  /** compiled objects reused by archive-header builds (tools/objcache-cc.sh); undefined = off */
  readonly objectCache?: { readonly dir: string; readonly maxBytes: number };
  readonly dockerSocket: string;
  readonly signing: {
    readonly moduleKey?: string;
    readonly moduleCert?: string;
    readonly artifactKey?: string;
    readonly upload: { readonly moduleKey?: string; readonly moduleCert?: string; readonly generate?: boolean };
  };
  readonly builderId: string;
  readonly logLevel: string;
  /** where builds, failure logs and uploaded headers live (lib/store/) */
  readonly store: StoreConfig;
  readonly prebuild: { readonly suites: readonly string[]; readonly flavours: readonly string[]; readonly intervalMs: number };
  /** signing keys: `<dataDir>/keys` unless KPY_KEYS_DIR */
  readonly keysDir: string;
}

export type StoreConfig =
  | { readonly kind: 'fs' }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly region: string;
      readonly endpoint?: string;
      readonly forcePathStyle: boolean;
      readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
    };

function storeConfig(e: z.infer<typeof EnvSchema>): StoreConfig {
  if (e.KPY_STORE === 'fs') return { kind: 'fs' };
  if (!e.KPY_S3_BUCKET) throw new ConfigError('KPY_STORE=s3 needs KPY_S3_BUCKET');
  if (!e.AWS_ACCESS_KEY_ID !== !e.AWS_SECRET_ACCESS_KEY) throw new ConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together');
  return {
    kind: 's3',
    bucket: e.KPY_S3_BUCKET,
    region: e.KPY_S3_REGION,
    ...(e.KPY_S3_ENDPOINT ? { endpoint: e.KPY_S3_ENDPOINT } : {}),
    // Servers other than AWS (Swift, MinIO) answer path-style; AWS itself takes either.
    forcePathStyle: e.KPY_S3_FORCE_PATH_STYLE === '' ? Boolean(e.KPY_S3_ENDPOINT) : e.KPY_S3_FORCE_PATH_STYLE === '1',
    ...(e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY ? { credentials: { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY } } : {}),
  };
}

function defaultWorkerId(dataDir: string): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '-');
  return `${host}-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`;
}

/** Thrown when configuration is invalid; main() prints it and exits. */
export class ConfigError extends Error {}

/**
 * Parse the environment once into a frozen Config. Defaults give the embedded
 * single-machine setup (Redis on localhost, everything under ./data); the
 * Debian mirrors default to the host's apt configuration.
 */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env, etcApt = '/etc/apt'): Promise<Config> {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const host = pickMirrors(await readHostAptSources(etcApt));
  const mirror = e.KPY_DEBIAN_MIRROR ?? host.archive;
  if (!mirror) throw new ConfigError('no Debian mirror: set KPY_DEBIAN_MIRROR (none found in the apt configuration)');
  if (!e.KPY_UPLOAD_SIGNING_KEY !== !e.KPY_UPLOAD_SIGNING_CERT) {
    throw new ConfigError('KPY_UPLOAD_SIGNING_KEY and KPY_UPLOAD_SIGNING_CERT go together');
  }
  const securityMirror = e.KPY_DEBIAN_SECURITY_MIRROR ?? host.security ?? `${mirror}-security`;
  const config: Config = {
    http: {
      host: e.KPY_HOST,
      port: e.KPY_PORT,
      maxBodyBytes: e.KPY_MAX_BODY_BYTES,
      tokens: e.KPY_TOKENS,
      rateLimitPerMin: e.KPY_RATE_LIMIT_PER_MIN,
      allowUnauthenticated: e.KPY_ALLOW_UNAUTHENTICATED === '1',
      maxLogFollowers: e.KPY_MAX_LOG_FOLLOWERS,
      maxLogFollowersPerClient: e.KPY_MAX_LOG_FOLLOWERS_PER_CLIENT,
      hotArtifactBytes: e.KPY_HOT_ARTIFACTS_MB * 1024 * 1024,
      finishedViewBytes: e.KPY_FINISHED_VIEWS_MB * 1024 * 1024,
    },
    redis: { url: e.KPY_REDIS_URL ?? (await defaultRedisUrl(resolve(e.KPY_DATA_DIR), e.KPY_REDIS_PORT)), prefix: e.KPY_REDIS_PREFIX, queue: e.KPY_QUEUE, maxQueue: e.KPY_MAX_QUEUE },
    dataDir: resolve(e.KPY_DATA_DIR),
    cacheDir: resolve(e.KPY_CACHE_DIR ?? `${e.KPY_DATA_DIR}/cache`),
    sourceDir: resolve(e.KPY_SOURCE_DIR),
    uploads: {
      maxBytes: e.KPY_MAX_UPLOAD_MB * 1024 * 1024,
      maxExpandedBytes: e.KPY_MAX_HEADERS_EXPANDED_MB * 1024 * 1024,
      maxRatio: e.KPY_MAX_HEADERS_RATIO,
      maxFiles: e.KPY_MAX_HEADERS_FILES,
    },
    debian: {
      mirror: mirror.replace(/\/+$/, ''),
      securityMirror: securityMirror.replace(/\/+$/, ''),
      suites: e.KPY_DEBIAN_SUITES,
      component: e.KPY_DEBIAN_COMPONENT,
      arch: e.KPY_DEBIAN_ARCH,
      targetArches: [...new Set([e.KPY_DEBIAN_ARCH, ...e.KPY_DEBIAN_TARGET_ARCHES])],
      keyring: e.KPY_DEBIAN_KEYRING,
      indexTtlMs: e.KPY_INDEX_TTL_SEC * 1000,
    },
    build: {
      timeoutMs: e.KPY_BUILD_TIMEOUT_SEC * 1000,
      memoryBytes: e.KPY_BUILD_MEMORY_MB * 1024 * 1024,
      pids: e.KPY_BUILD_PIDS,
      cpus: e.KPY_BUILD_CPUS,
      concurrency: e.KPY_WORKER_CONCURRENCY,
      lockMs: e.KPY_WORKER_LOCK_SEC * 1000,
      // Per host and data directory: separate installations on one Docker
      // daemon never reap each other's containers (see worker-lease.ts).
      workerId: e.KPY_WORKER_ID ?? defaultWorkerId(resolve(e.KPY_DATA_DIR)),
      targets: e.KPY_WORKER_TARGETS,
      workBytes: e.KPY_BUILD_WORK_MB * 1024 * 1024,
      logBytes: e.KPY_BUILD_LOG_MB * 1024 * 1024,
      outputBytes: e.KPY_BUILD_OUTPUT_MB * 1024 * 1024,
    },
    ...(e.KPY_OBJECT_CACHE_MB > 0
      ? { objectCache: { dir: resolve(e.KPY_OBJECT_CACHE_DIR ?? join(e.KPY_CACHE_DIR ?? `${e.KPY_DATA_DIR}/cache`, 'objects')), maxBytes: e.KPY_OBJECT_CACHE_MB * 1024 * 1024 } }
      : {}),
    dockerSocket: e.KPY_DOCKER_SOCKET,
    signing: {
      ...(e.KPY_MODULE_SIGNING_KEY ? { moduleKey: resolve(e.KPY_MODULE_SIGNING_KEY) } : {}),
      ...(e.KPY_MODULE_SIGNING_CERT ? { moduleCert: resolve(e.KPY_MODULE_SIGNING_CERT) } : {}),
      ...(e.KPY_ARTIFACT_SIGNING_KEY ? { artifactKey: resolve(e.KPY_ARTIFACT_SIGNING_KEY) } : {}),
      upload: e.KPY_UPLOAD_SIGNING_KEY && e.KPY_UPLOAD_SIGNING_CERT
        ? { moduleKey: resolve(e.KPY_UPLOAD_SIGNING_KEY), moduleCert: resolve(e.KPY_UPLOAD_SIGNING_CERT) }
        : { generate: e.KPY_UPLOAD_SIGNING === 'generate' },
    },
    builderId: e.KPY_BUILDER_ID ?? `urn:kpython:builder:${hostname()}`,
    logLevel: e.KPY_LOG_LEVEL,
    store: storeConfig(e),
    prebuild: { suites: e.KPY_PREBUILD, flavours: e.KPY_PREBUILD_FLAVOURS, intervalMs: e.KPY_PREBUILD_INTERVAL_SEC * 1000 },
    keysDir: resolve(e.KPY_KEYS_DIR ?? join(e.KPY_DATA_DIR, 'keys')),
  };
  return deepFreeze(config);
}

/** Where setup keeps the password of the Redis it starts (scripts/start-redis.sh). */
export const REDIS_PASSWORD_FILE = 'redis.password';

/**
 * Redis on localhost, with the password setup stored in the data directory
 * (mode 0600) when there is one; KPY_REDIS_URL overrides.
 */
export async function defaultRedisUrl(dataDir: string, port = 6379): Promise<string> {
  const file = join(dataDir, REDIS_PASSWORD_FILE);
  const password = await readFile(file, 'utf8').then((t) => t.trim(), () => undefined);
  if (password === undefined) return `redis://127.0.0.1:${port}`;
  const { mode } = await stat(file);
  if (mode & 0o077) throw new ConfigError(`${file} is readable by others (mode ${(mode & 0o777).toString(8)}); \`chmod 600 ${file}\``);
  return `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`;
}

/**
 * The API must not be reachable from other machines without tokens by
 * accident: a non-loopback address needs KPY_TOKENS, or the explicit
 * KPY_ALLOW_UNAUTHENTICATED=1.
 */
export function checkExposure(http: Config['http']): void {
  if (http.tokens.length > 0 || http.allowUnauthenticated || isLoopback(http.host)) return;
  throw new ConfigError(
    `refusing to serve ${http.host} without tokens: anyone who can reach it could start builds and upload headers. ` +
      'Set KPY_TOKENS=<token>[,<token>...] (writes then need `Authorization: Bearer <token>`), ' +
      'bind a loopback address (KPY_HOST=127.0.0.1, the default), or open it on purpose with KPY_ALLOW_UNAUTHENTICATED=1.',
  );
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host) || /^::ffff:127(\.\d{1,3}){3}$/i.test(host);
}

/** Redis URLs without their password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** Which mirror serves a suite: `*-security` suites come from the security mirror. */
export function mirrorForSuite(debian: Config['debian'], suite: string): string {
  return suite.endsWith('-security') ? debian.securityMirror : debian.mirror;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
