import type { HeaderResolution } from './archive-resolver.js';
import type { BuilderImage } from './builder-images.js';
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './sha256.js';

/** Fixed inputs that shape the bytes of the module besides sources and headers. */
export const BUILD_OPTIONS = {
  /** 2025-01-01T00:00:00Z: SOURCE_DATE_EPOCH and KBUILD_BUILD_TIMESTAMP */
  sourceDateEpoch: 1735689600,
  buildUser: 'kpython',
  buildHost: 'kpython',
  /** fixed build path of the sources inside the container */
  buildPath: '/build/src',
  /** `make KDIR=<headers>` at the top of the sources produces this */
  artifact: 'kernel_mod/kpython.ko',
} as const;

export type BuildOptions = typeof BUILD_OPTIONS;

/**
 * The canonical description of every input of a build. Its sha256 is the
 * build key: same inputs, same key, on any machine with the same image.
 */
export interface BuildInputs {
  schema: 'kpython-build/v1';
  arch: string;
  sources: { digest: string; builderScript: string };
  headers: {
    kind: 'debian';
    release: string;
    version: string;
    packages: { name: string; version: string; arch: string; sha256: string }[];
  };
  toolchain: { image: string; imageId: string; compiler: string };
  options: BuildOptions;
}

/** What a worker needs to run a build, carried as the job's data. */
export interface BuildPlan {
  key: string;
  inputs: BuildInputs;
  resolution: HeaderResolution;
  image: BuilderImage;
  force: boolean;
}

export function makeBuildPlan(args: {
  resolution: HeaderResolution;
  image: BuilderImage;
  sourcesDigest: string;
  builderScriptDigest: string;
  force?: boolean;
}): BuildPlan {
  const { resolution, image } = args;
  const inputs: BuildInputs = {
    schema: 'kpython-build/v1',
    arch: resolution.arch,
    sources: { digest: args.sourcesDigest, builderScript: args.builderScriptDigest },
    headers: {
      kind: 'debian',
      release: resolution.release,
      version: resolution.version,
      packages: resolution.packages.map(({ name, version, arch, sha256 }) => ({ name, version, arch, sha256 })),
    },
    toolchain: { image: image.name, imageId: image.id, compiler: image.compilerVersion },
    options: BUILD_OPTIONS,
  };
  return { key: buildKey(inputs), inputs, resolution, image, force: args.force ?? false };
}

export function buildKey(inputs: BuildInputs): string {
  return sha256Hex(canonicalJson(inputs));
}

export const BUILD_ID_RE = /^[0-9a-f]{64}$/;
