import type { DebianTarget } from '../lib/artifact-store.js';
import type { BuildPlan } from '../lib/build-plan.js';
import { clientPackage } from '../lib/packaging/client-package.js';
import { dkmsPackage } from '../lib/packaging/dkms-package.js';
import { modulePackage, type BuiltPackage } from '../lib/packaging/module-package.js';

/** The Debian kernel an archive build is for (uploaded headers name none). */
export function debianTarget(plan: BuildPlan): DebianTarget | undefined {
  if (plan.source.kind !== 'debian') return undefined;
  const r = plan.source.resolution;
  const suite = r.packages[0]?.suite ?? plan.image.suite;
  // bookworm-security, bookworm-updates, bookworm-backports: all bookworm machines.
  return { suite, codename: suite.split('-')[0] as string, kernelVersion: r.version, arch: r.arch };
}

/**
 * The packages of one archive build, from the signed module: the module's
 * own, the target client and, when the container left the source tree, the
 * DKMS package. All with SOURCE_DATE_EPOCH of the build's options.
 */
export async function debianPackages(plan: BuildPlan, target: DebianTarget, module: Buffer, dkmsSource: Buffer | undefined): Promise<BuiltPackage[]> {
  const mtime = plan.inputs.options.sourceDateEpoch;
  return [
    await modulePackage({ release: plan.inputs.headers.release, kernelVersion: target.kernelVersion, arch: target.arch, codename: target.codename, module, mtime }),
    await clientPackage(mtime),
    ...(dkmsSource ? [await dkmsPackage(dkmsSource, mtime)] : []),
  ];
}
