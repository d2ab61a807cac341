import type { KernelResolver } from '../lib/archive-resolver.js';
import { buildKey, makeBuildPlan, trustOf, type BuildPlan } from '../lib/build-plan.js';
import { canonicalJson } from '../lib/canonical-json.js';
import { KpyError } from '../lib/errors.js';
import type { HeadersStore } from '../lib/headers/headers-store.js';

/**
 * A job is only data somebody wrote into Redis. Before building, the worker
 * checks that the job's key is the key of its inputs, that the inputs agree
 * with what the worker will actually fetch (the same plan rebuilt from the
 * job's header source and toolchain gives the same key), and that those
 * sources are real on this machine: the Debian packages are the ones the
 * worker's own verified archive index lists for that release and version,
 * an upload is the one in its own store. Write access to Redis is thus not
 * enough to get an artifact published under a Debian kernel's key.
 * Returns the plan with the header source as the worker knows it.
 */
export async function verifyJob(
  jobId: string | undefined,
  plan: BuildPlan,
  deps: { resolver: KernelResolver; headers: HeadersStore },
): Promise<BuildPlan> {
  const refuse = (why: string): never => {
    throw new KpyError('BUILD_KEY_MISMATCH', `refusing job ${jobId ?? '?'}: ${why}`, { details: { jobId, key: plan?.key } });
  };
  if (!plan?.inputs || !plan.source || !plan.image) refuse('the job is not a build plan');
  if (jobId !== plan.key) refuse('the job id is not its build key');
  if (buildKey(plan.inputs) !== plan.key) refuse('the build key is not the sha256 of the job\'s inputs');
  if (plan.inputs.trust !== trustOf(plan.inputs.headers)) refuse(`trust level "${plan.inputs.trust}" does not match ${plan.inputs.headers.kind} headers`);
  if (plan.source.kind !== plan.inputs.headers.kind) refuse('the header source is not the kind the inputs name');

  let source: BuildPlan['source'];
  if (plan.source.kind === 'debian') {
    const h = plan.inputs.headers;
    if (h.kind !== 'debian') return refuse('unreachable');
    const resolution = await deps.resolver.resolve({ release: h.release, version: h.version });
    const want = canonicalJson(h.packages);
    const have = canonicalJson(resolution.packages.map(({ name, version, arch, sha256 }) => ({ name, version, arch, sha256 })));
    if (want !== have) refuse(`the header packages are not the ones the verified archive index lists for ${h.release} ${h.version}`);
    source = { kind: 'debian', resolution };
  } else {
    const stored = await deps.headers.get(plan.source.upload.id);
    if (!stored) throw new KpyError('HEADERS_NOT_FOUND', `uploaded headers sha256:${plan.source.upload.id} are not in this worker's store`);
    source = { kind: 'upload', upload: stored };
  }
  const again = makeBuildPlan({
    source,
    image: plan.image,
    kernelCompiler: plan.kernelCompiler,
    toolchainMatch: plan.toolchainMatch,
    sourcesDigest: plan.inputs.sources.digest,
    builderScriptDigest: plan.inputs.sources.builderScript,
    force: plan.force,
  });
  if (again.key !== plan.key) refuse('the inputs recomputed from the job\'s sources and toolchain give another build key');
  return { ...plan, source };
}
