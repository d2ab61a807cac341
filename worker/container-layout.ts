import { randomBytes } from 'node:crypto';
import type { BuildPlan } from '../lib/build-plan.js';
import type { Config } from '../lib/config.js';
import type { BuildContainerSpec } from './container-client.js';
import { LABEL_APP, LABEL_BUILD, LABEL_DEADLINE, LABEL_RUN, LABEL_WORKER } from './container-client.js';
import { trustOf } from '../lib/build-plan.js';
import { OBJECT_CACHE_MOUNT } from '../lib/object-cache.js';

const MiB = 1024 * 1024;
export const WORK_DIR = '/build';
/** The container's own timeout runs this much past the worker's timer: the worker's kill normally comes first. */
export const IN_CONTAINER_GRACE_SEC = 5;
/** Copying inputs in before start and outputs out after exit, on top of the timeout, before reapers may act. */
export function deadlineSlackMs(timeoutMs: number): number {
  return Math.min(120_000, Math.max(15_000, timeoutMs));
}

/**
 * The build command under `timeout` as PID 1 of the container: the deadline
 * holds even if the worker dies (nobody left to kill it), and the build
 * cannot kill PID 1 from inside its pid namespace.
 */
export function deadlineCommand(timeoutMs: number, cmd: string[]): string[] {
  return ['timeout', '-s', 'KILL', `${Math.ceil(timeoutMs / 1000) + IN_CONTAINER_GRACE_SEC}s`, ...cmd];
}

/** Directories the header packages unpack into, each a tmpfs over the read-only root. */
export function headerMounts(plan: BuildPlan): string[] {
  if (plan.source.kind === 'upload') return [...plan.source.upload.roots];
  const kbuild = plan.source.resolution.packages.filter((p) => p.name.startsWith('linux-kbuild-')).map((p) => `/usr/lib/${p.name}`);
  return ['/usr/src', ...kbuild];
}

/** The kernel build directory inside the container. */
export function kernelDir(plan: BuildPlan): string {
  return plan.source.kind === 'upload' ? plan.source.upload.kdir : `/usr/src/linux-headers-${plan.inputs.headers.release}`;
}

/** The container of one build: fixed paths, reproducibility environment, limits, labels. */
export function buildContainerSpec(args: {
  plan: BuildPlan;
  /** local ID of the builder image to run */
  imageId: string;
  limits: Config['build'];
  workerId: string;
  runLabel?: string;
  /** host directory of the object cache; mounted only into archive-header builds */
  objectCache?: string;
}): BuildContainerSpec {
  const { plan, limits } = args;
  const objects = args.objectCache && trustOf(plan.inputs.headers) === 'archive' ? args.objectCache : undefined;
  const o = plan.inputs.options;
  const name = `kpy-${plan.key.slice(0, 12)}-${randomBytes(3).toString('hex')}`;
  const mounts = headerMounts(plan);
  return {
    image: args.imageId,
    name,
    volume: name,
    volumeBytes: limits.workBytes,
    workDir: WORK_DIR,
    labels: {
      [LABEL_APP]: 'kpython',
      [LABEL_BUILD]: plan.key,
      [LABEL_WORKER]: args.workerId,
      ...(args.runLabel ? { [LABEL_RUN]: args.runLabel } : {}),
      [LABEL_DEADLINE]: String(Date.now() + limits.timeoutMs + IN_CONTAINER_GRACE_SEC * 1000 + deadlineSlackMs(limits.timeoutMs)),
    },
    cmd: deadlineCommand(limits.timeoutMs, ['sh', `${WORK_DIR}/kpy/build.sh`]),
    env: {
      KPY_RELEASE: plan.inputs.headers.release,
      KPY_HEADER_MOUNTS: mounts.join(' '),
      KPY_KDIR: kernelDir(plan),
      KPY_CC: plan.image.compiler,
      KPY_CC_FAMILY: plan.kernelCompiler.family,
      KPY_CC_MAJOR: String(plan.kernelCompiler.major),
      KPY_ARTIFACT: o.artifact,
      KPY_JOBS: String(Math.max(1, Math.ceil(limits.cpus))),
      SOURCE_DATE_EPOCH: String(o.sourceDateEpoch),
      KBUILD_BUILD_TIMESTAMP: new Date(o.sourceDateEpoch * 1000).toUTCString(),
      KBUILD_BUILD_USER: o.buildUser,
      KBUILD_BUILD_HOST: o.buildHost,
      KBUILD_BUILD_VERSION: '1',
      TZ: 'UTC',
      LC_ALL: 'C.UTF-8',
      HOME: '/tmp',
      PYTHONHASHSEED: '0',
      PYTHONDONTWRITEBYTECODE: '1',
      ...(objects ? { KPY_OBJCACHE: OBJECT_CACHE_MOUNT, KPY_OBJCACHE_IMAGE: args.imageId } : {}),
      // issue 9: cross builds; Kbuild reads both from the environment
      ...(plan.image.crossCompile ? { ARCH: kbuildArch(plan.inputs.arch), CROSS_COMPILE: plan.image.crossCompile } : {}),
    },
    ...(objects ? { binds: [{ source: objects, target: OBJECT_CACHE_MOUNT, readOnly: false }] } : {}),
    tmpfs: Object.fromEntries([['/tmp', 256 * MiB], ...mounts.map((m) => [m, (m === '/usr/src' ? 2048 : 256) * MiB])]),
    memoryBytes: limits.memoryBytes,
    pids: limits.pids,
    cpus: limits.cpus,
  };
}

/** Debian architecture → Kbuild's ARCH. */
export function kbuildArch(debianArch: string): string {
  const arch = ({ amd64: 'x86', arm64: 'arm64', armhf: 'arm', i386: 'x86', ppc64el: 'powerpc', riscv64: 'riscv', s390x: 's390' } as Record<string, string>)[debianArch];
  if (!arch) throw new Error(`no Kbuild ARCH for Debian architecture ${debianArch}`);
  return arch;
}
