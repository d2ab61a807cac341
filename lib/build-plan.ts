import type { HeaderResolution } from './archive-resolver.js';
import { toolchainIdentity, type BuilderImage, type ToolchainIdentity } from './builder-images.js';
import { canonicalJson } from './canonical-json.js';
import type { UploadedHeaders } from './headers/headers-meta.js';
import type { KernelCompiler } from './kernel-compiler.js';
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

export type TrustLevel = 'archive' | 'uploaded';

/** The trust level of headers of this kind: only archive-verified Debian packages are `archive`. */
export function trustOf(headers: Pick<HeaderInputs, 'kind'>): TrustLevel {
  return headers.kind === 'debian' ? 'archive' : 'uploaded';
}

export type HeaderInputs =
  | {
      kind: 'debian';
      release: string;
      version: string;
      packages: { name: string; version: string; arch: string; sha256: string }[];
    }
  | {
      kind: 'upload';
      release: string;
      /** sha256 of the stored (normalised) headers tree */
      id: string;
    };

/**
 * The canonical description of every input of a build. Its sha256 is the
 * build key: same inputs, same key, on any machine. The toolchain is named by
 * what it is (compiler and installed packages), never by a local image ID.
 */
export interface BuildInputs {
  schema: 'kpython-build/v3';
  /**
   * `archive`: headers verified from the Debian archive down to each .deb;
   * `uploaded`: a client's headers, whose Makefiles decide what the module
   * is, so the service cannot vouch for it (never the module-signing key).
   */
  trust: TrustLevel;
  arch: string;
  sources: { digest: string; builderScript: string };
  headers: HeaderInputs;
  toolchain: ToolchainIdentity;
  options: BuildOptions;
}

/** Where the headers of a build come from, with what the worker needs to fetch them. */
export type HeaderSource = { kind: 'debian'; resolution: HeaderResolution } | { kind: 'upload'; upload: UploadedHeaders };

/** What a worker needs to run a build, carried as the job's data. */
export interface BuildPlan {
  key: string;
  inputs: BuildInputs;
  source: HeaderSource;
  /** the builder image chosen for the kernel's compiler (incl. the local image ID to run) */
  image: BuilderImage;
  /** the kernel's compiler (CONFIG_CC_VERSION_TEXT) and how the image matches it */
  kernelCompiler: KernelCompiler;
  toolchainMatch: 'exact' | 'major';
  force: boolean;
}

export function makeBuildPlan(args: {
  source: HeaderSource;
  image: BuilderImage;
  kernelCompiler: KernelCompiler;
  toolchainMatch: 'exact' | 'major';
  sourcesDigest: string;
  builderScriptDigest: string;
  force?: boolean;
}): BuildPlan {
  const { source, image } = args;
  const headers: HeaderInputs =
    source.kind === 'debian'
      ? {
          kind: 'debian',
          release: source.resolution.release,
          version: source.resolution.version,
          packages: source.resolution.packages.map(({ name, version, arch, sha256 }) => ({ name, version, arch, sha256 })),
        }
      : { kind: 'upload', release: source.upload.release, id: source.upload.id };
  const inputs: BuildInputs = {
    schema: 'kpython-build/v3',
    trust: trustOf(headers),
    arch: source.kind === 'debian' ? source.resolution.arch : source.upload.arch,
    sources: { digest: args.sourcesDigest, builderScript: args.builderScriptDigest },
    headers,
    toolchain: toolchainIdentity(image),
    options: BUILD_OPTIONS,
  };
  return {
    key: buildKey(inputs),
    inputs,
    source,
    image,
    kernelCompiler: args.kernelCompiler,
    toolchainMatch: args.toolchainMatch,
    force: args.force ?? false,
  };
}

export function buildKey(inputs: BuildInputs): string {
  return sha256Hex(canonicalJson(inputs));
}

export const BUILD_ID_RE = /^[0-9a-f]{64}$/;
