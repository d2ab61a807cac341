import { randomBytes } from 'node:crypto';
import type { BuildPlan } from '../lib/build-plan.js';
import type { Config } from '../lib/config.js';
import type { BuildContainerSpec } from './container-client.js';
import { LABEL_APP, LABEL_BUILD, LABEL_RUN, LABEL_WORKER } from './container-client.js';

const MiB = 1024 * 1024;
export const WORK_DIR = '/build';

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
}): BuildContainerSpec {
  const { plan, limits } = args;
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
    },
    cmd: ['sh', `${WORK_DIR}/kpy/build.sh`],
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
    },
    tmpfs: Object.fromEntries([['/tmp', 256 * MiB], ...mounts.map((m) => [m, (m === '/usr/src' ? 2048 : 256) * MiB])]),
    memoryBytes: limits.memoryBytes,
    pids: limits.pids,
    cpus: limits.cpus,
  };
}
