import { trustOf, type BuildPlan, type TrustLevel } from '../build-plan.js';

export interface ProvenanceInput {
  plan: BuildPlan;
  builderId: string;
  /** the worker id that ran the build (issue 12: the fleet says who built what) */
  worker?: string;
  subjects: { name: string; sha256: string }[];
  byproducts: { name: string; sha256: string }[];
  startedOn: string;
  finishedOn: string;
  /** which key signed the module: the archive's, the operator's upload key, or none */
  moduleSignature: ModuleSignatureKind;
}

export type ModuleSignatureKind = 'module-signing' | 'upload-signing' | 'none';

/** Headers verified from the Debian archive: the service vouches for the build system. */
export const ARCHIVE_BUILD_TYPE = 'urn:kpython:build-type:debian-kbuild-container:v1';
/** Headers (and so the Makefiles that build the module) came from the client. */
export const UPLOADED_BUILD_TYPE = 'urn:kpython:build-type:uploaded-headers-kbuild-container:v1';
/** @deprecated the archive build type; use buildTypeOf */
export const BUILD_TYPE = ARCHIVE_BUILD_TYPE;

export function buildTypeOf(trust: TrustLevel): string {
  return trust === 'archive' ? ARCHIVE_BUILD_TYPE : UPLOADED_BUILD_TYPE;
}

/** An in-toto v1 statement with a SLSA provenance v1 predicate listing every resolved input. */
export function provenanceStatement(p: ProvenanceInput): Record<string, unknown> {
  const { plan } = p;
  const { inputs } = plan;
  const trust = trustOf(inputs.headers);
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: p.subjects.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: buildTypeOf(trust),
        externalParameters: {
          kernel: inputs.headers.release,
          ...(inputs.headers.kind === 'debian' ? { version: inputs.headers.version } : { headers: `sha256:${inputs.headers.id}` }),
          arch: inputs.arch,
        },
        internalParameters: { buildKey: plan.key, trust, moduleSignature: p.moduleSignature, options: inputs.options },
        resolvedDependencies: [
          { name: 'kpython-sources', digest: { sha256: inputs.sources.digest } },
          { name: 'docker/build-in-container.sh', digest: { sha256: inputs.sources.builderScript } },
          {
            name: `toolchain:${plan.image.name}`,
            digest: { sha256: inputs.toolchain.digest },
            annotations: {
              compiler: plan.image.compilerVersion,
              kernelCompiler: plan.kernelCompiler.text,
              match: plan.toolchainMatch,
              // cross builds (issue 9): what the image compiles for, and how
              ...(plan.image.crossCompile ? { targetArch: plan.image.targetArch, crossCompile: plan.image.crossCompile } : {}),
              suite: plan.image.suite,
              packagesSha256: plan.image.packagesSha256,
              localImageId: plan.image.id,
            },
          },
          ...(plan.source.kind === 'debian'
            ? plan.source.resolution.packages.map((pkg) => ({
                name: `${pkg.name}_${pkg.version}_${pkg.arch}.deb`,
                uri: `pkg:deb/debian/${pkg.name}@${encodeURIComponent(pkg.version)}?arch=${pkg.arch}`,
                digest: { sha256: pkg.sha256 },
                annotations: { suite: pkg.suite },
              }))
            : [
                {
                  name: `headers-upload:${plan.source.upload.release}`,
                  digest: { sha256: plan.source.upload.id },
                  annotations: { layout: plan.source.upload.layout, upload: `sha256:${plan.source.upload.upload.sha256}` },
                },
              ]),
        ],
      },
      runDetails: {
        builder: { id: p.builderId, ...(p.worker ? { version: { 'kpython-worker': p.worker } } : {}) },
        metadata: { invocationId: plan.key, startedOn: p.startedOn, finishedOn: p.finishedOn },
        byproducts: p.byproducts.map((b) => ({ name: b.name, digest: { sha256: b.sha256 } })),
      },
    },
  };
}
