import type { KernelResolver } from '../lib/archive-resolver.js';
import type { BuildMeta } from '../lib/artifact-store.js';
import type { BuildStore } from '../lib/store/build-store.js';
import { trustOf, type BuildPlan } from '../lib/build-plan.js';
import { toolchainIdentity, type BuilderImage } from '../lib/builder-images.js';
import type { Config } from '../lib/config.js';
import type { DebCache } from '../lib/deb-cache.js';
import type { HeadersStore } from '../lib/headers/headers-store.js';
import { checkModule } from '../lib/elf-modinfo.js';
import { KpyError, toKpyError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { sha256Hex } from '../lib/sha256.js';
import type { ArtifactSigner } from '../lib/signing/artifact-signer.js';
import type { SourceSnapshot } from '../lib/source-tree.js';
import type { ContainerClient } from './container-client.js';
import { BuildLog } from './build-log.js';
import { buildContainerSpec, WORK_DIR } from './container-layout.js';
import { packInputs } from './input-tar.js';
import { readOutputs } from './output-tar.js';
import { runBuildContainer } from './run-container.js';
import { verifyJob } from './verify-job.js';
import { debianPackages, debianTarget } from './debian-packages.js';
import type { BuiltPackage } from '../lib/packaging/module-package.js';
import { objectCacheDir, pruneObjectCacheInBackground } from '../lib/object-cache.js';
import { loadResult, storeResult } from './result-cache.js';

export interface PipelineDeps {
  containers: ContainerClient;
  debs: DebCache;
  headers: HeadersStore;
  /** this worker's own view of the Debian archive: job inputs are checked against it */
  resolver: KernelResolver;
  /** this worker's recorded builder images */
  images: () => Promise<BuilderImage[]>;
  sources: SourceSnapshot;
  builderScript: Buffer;
  store: BuildStore;
  signer: ArtifactSigner;
  /** regenerate the apt repository's indexes once a build is published */
  publishApt?: () => Promise<unknown>;
  limits: Config['build'];
  /** the object cache of trusted builds (issue 14); absent = every build compiles everything */
  objectCache?: Config['objectCache'];
  workerId: string;
  runLabel?: string;
  log: Logger;
}

/** How a running build tells the world about itself. */
export interface BuildReporter {
  stage(name: Stage, progress: number): Promise<void>;
  line(text: string): void;
  containerStarted(containerId: string): Promise<void>;
}

export type Stage = 'fetch' | 'image' | 'container' | 'compile' | 'collect' | 'check' | 'sign' | 'store';

/** Exit codes of docker/build-in-container.sh that are not make's. */
const EXIT_HEADERS = 3;
const EXIT_NO_ARTIFACT = 4;
const EXIT_COMPILER = 5;

/**
 * One build: fetch + verify inputs → check the toolchain image → locked-down
 * container (sources and headers in, module out) → check the module → sign →
 * store atomically. Returns the stored meta; throws KpyError with the stable
 * code of the failure, after keeping the log.
 */
export async function runBuild(job: BuildPlan, deps: PipelineDeps, report: BuildReporter, jobId: string | undefined = job.key): Promise<BuildMeta> {
  let plan = job;
  const log = deps.log.child({ buildId: plan.key.slice(0, 12), kernel: plan.inputs.headers.release });
  // Bounded: the container decides how much it prints.
  const lines = new BuildLog(deps.limits.logBytes);
  const say = (text: string) => {
    const kept = lines.add(text);
    if (kept !== undefined) report.line(kept);
  };
  const startedAt = new Date();
  try {
    plan = await verifyJob(jobId, job, deps);
    if (plan.inputs.sources.digest !== deps.sources.digest || plan.inputs.sources.builderScript !== sha256Hex(deps.builderScript)) {
      throw new KpyError('SOURCES_CHANGED', 'this worker holds different kpython sources than the build key names');
    }
    await report.stage('fetch', 5);
    const h = plan.inputs.headers;
    say(`[kpython] build ${plan.key} for ${h.release} (${h.kind === 'debian' ? h.version : `uploaded headers sha256:${h.id}`})`);
    const debs: { name: string; path: string }[] = [];
    let headersTar: string | undefined;
    if (plan.source.kind === 'debian') {
      for (const pkg of plan.source.resolution.packages) {
        const path = await deps.debs.ensure(pkg);
        debs.push({ name: `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_${pkg.arch}.deb`, path });
        say(`[kpython] verified ${pkg.name} ${pkg.version} sha256:${pkg.sha256}`);
      }
    } else {
      const { id } = plan.source.upload;
      if (!(await deps.headers.get(id))) throw new KpyError('HEADERS_NOT_FOUND', `uploaded headers sha256:${id} are not in this worker's store`);
      headersTar = deps.headers.tarPath(id);
      say(`[kpython] uploaded headers sha256:${id} (${plan.source.upload.layout}, ${plan.source.upload.files} files)`);
    }

    await report.stage('image', 15);
    const image = await localImage(plan, deps);
    say(`[kpython] kernel compiler: ${plan.kernelCompiler.text || '(not named)'}`);
    say(`[kpython] toolchain ${image.name} ${image.compilerVersion} (${plan.toolchainMatch} match; sha256:${plan.inputs.toolchain.digest}; local image ${image.id})`);

    await report.stage('container', 20);
    // Trusted builds only: an upload's build system is the client's code.
    const objects = deps.objectCache && trustOf(plan.inputs.headers) === 'archive' ? await objectCacheDir(deps.objectCache.dir, image.id) : undefined;
    const spec = buildContainerSpec({
      plan,
      imageId: image.id,
      ...(objects ? { objectCache: objects } : {}),
      limits: deps.limits,
      workerId: deps.workerId,
      ...(deps.runLabel ? { runLabel: deps.runLabel } : {}),
    });
    // The same key built before by this image (restart, another store): its outputs, unless a forced rebuild must prove them.
    const reused = objects && !plan.force ? await loadResult(objects, plan.key, deps.limits.outputBytes) : undefined;
    if (reused) say(`[kpython] result cache: hit (these inputs were built before by image ${image.id}; no container)`);
    const run = reused ? { exitCode: 0, outputs: reused } : await runBuildContainer({
      client: deps.containers,
      spec,
      input: () =>
        packInputs({
          sources: deps.sources,
          debs,
          ...(headersTar ? { headersTar } : {}),
          builderScript: deps.builderScript,
          mtime: new Date(plan.inputs.options.sourceDateEpoch * 1000),
        }),
      outPath: `${WORK_DIR}/out`,
      readOutputs: (tar) => readOutputs(tar, deps.limits.outputBytes),
      timeoutMs: deps.limits.timeoutMs,
      onLine: say,
      onStarted: (cid) => {
        // Progress reports only: a failure is logged, never left unhandled, and does not fail the build.
        report.containerStarted(cid).catch((err: unknown) => log.warn({ err }, 'cannot record the container start'));
        report.stage('compile', 30).catch((err: unknown) => log.warn({ err }, 'cannot record the compile stage'));
      },
      log,
    });
    if (objects && deps.objectCache && !reused) {
      pruneObjectCacheInBackground(deps.objectCache.dir, deps.objectCache.maxBytes, (r, err) => {
        if (err) log.warn({ err }, 'pruning the object cache failed');
        else if (r?.removed) log.info(r, 'object cache pruned');
      });
    }
    if (run.exitCode !== 0) throw exitError(run.exitCode, lines);

    await report.stage('collect', 85);
    const unsigned = run.outputs.get('kpython.ko');
    if (!unsigned) throw new KpyError('ARTIFACT_INVALID', 'the build left no kpython.ko');

    await report.stage('check', 88);
    const { vermagic } = checkModule(unsigned, { release: plan.inputs.headers.release, arch: plan.inputs.arch, name: 'kpython' });
    const unsignedSha256 = sha256Hex(unsigned);
    say(`[kpython] kpython.ko: ${unsigned.length} bytes, sha256:${unsignedSha256}, vermagic "${vermagic}"`);
    const previous = await deps.store.meta(plan.key);
    if (previous && previous.unsignedSha256 !== unsignedSha256) {
      throw new KpyError('NOT_REPRODUCIBLE', `rebuild gave unsigned sha256 ${unsignedSha256}, stored build has ${previous.unsignedSha256}`, {
        details: { previous: previous.unsignedSha256, now: unsignedSha256 },
      });
    }
    if (previous) say('[kpython] rebuild is byte-identical to the stored build');
    if (objects && !reused) {
      await storeResult(objects, plan.key, run.outputs).catch((err: unknown) => log.warn({ err }, 'keeping the outputs in the result cache failed'));
    }

    await report.stage('sign', 92);
    const finishedAt = new Date();
    const buildLog = lines.toBuffer();
    const debug = run.outputs.get('kpython.ko.debug');
    const debian = debianTarget(plan);
    const packages: BuiltPackage[] = [];
    const { files: signed, moduleSignature } = await deps.signer.sign({
      plan,
      unsigned,
      ...(debug ? { debug } : {}),
      // Archive builds only: a package names the exact Debian kernel it is for.
      ...(debian
        ? {
            derive: async (module: Buffer) => {
              packages.push(...(await debianPackages(plan, debian, module, run.outputs.get('dkms-source.tar'))));
              return packages.map((p) => ({ name: p.fileName, data: p.deb }));
            },
          }
        : {}),
      log: buildLog,
      startedOn: startedAt.toISOString(),
      finishedOn: finishedAt.toISOString(),
    });
    // Not in build.log: the provenance already names that file's digest.
    const trust = trustOf(plan.inputs.headers);
    report.line(
      trust === 'archive'
        ? '[kpython] signed: module signature (PKCS#7), detached signature, provenance'
        : `[kpython] uploaded headers: ${moduleSignature === 'none' ? 'no module signature' : 'module signed with the upload key'}; detached signature and provenance with the uploads key`,
    );

    await report.stage('store', 97);
    const files = new Map<string, Buffer>([...Object.entries(signed).flatMap(([n, d]) => (d ? [[n, d] as const] : [])), ['build.log', buildLog]]);
    for (const p of packages) report.line(`[kpython] package ${p.fileName}: ${p.deb.length} bytes`);
    const meta = await deps.store.commit(plan.key, files, {
      key: plan.key,
      release: plan.inputs.headers.release,
      unsignedSha256,
      vermagic,
      trust,
      moduleSignature,
      ...(debian ? { debian } : {}),
      ...(packages.length ? { packages: packages.map(({ deb: _deb, ...p }) => p) } : {}),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      worker: deps.workerId,
    });
    // The build is published either way; an index that failed is regenerated by the next publish.
    if (meta.packages?.length && deps.publishApt) {
      await deps.publishApt().then(
        () => report.line(`[kpython] apt repository: ${meta.debian?.codename ?? '?'} indexes regenerated`),
        (err: unknown) => log.error({ err }, 'regenerating the apt indexes failed'),
      );
    }
    return meta;
  } catch (err) {
    const e = toKpyError(err);
    say(`[kpython] failed: ${e.code}: ${e.message}`);
    await deps.store
      .commitFailure(plan.key, lines.toBuffer(), { key: plan.key, error: e.toJSON(), at: new Date().toISOString() })
      .catch((storeErr: unknown) => log.error({ err: storeErr }, 'cannot keep the failure log'));
    throw e;
  }
}

/**
 * This worker's image of the plan's toolchain: found by toolchain identity
 * (the local image ID differs from machine to machine), and checked to be
 * the image Docker has under that tag.
 */
async function localImage(plan: BuildPlan, deps: PipelineDeps): Promise<BuilderImage> {
  const want = plan.inputs.toolchain.digest;
  const image = (await deps.images()).find((i) => toolchainIdentity(i).digest === want);
  if (!image) {
    throw new KpyError(
      'COMPILER_UNAVAILABLE',
      `this worker has no builder image with toolchain sha256:${want} (${plan.image.name}: ${plan.image.compilerVersion}); run \`npm run setup\``,
    );
  }
  const id = await deps.containers.imageId(image.tag);
  if (id !== image.id) {
    throw new KpyError('COMPILER_UNAVAILABLE', `builder image ${image.tag} is ${id ?? 'missing'}, its record says ${image.id}; run \`npm run setup\``);
  }
  return image;
}

function exitError(code: number, lines: BuildLog): KpyError {
  const tail = [...lines.tail];
  if (code === EXIT_COMPILER) {
    const why = lines.first('compiler') ?? 'the compiler in the container is not the kernel\'s';
    return new KpyError('COMPILER_UNAVAILABLE', why.replace(/^\[kpython\] /, ''), { details: { exitCode: code, tail } });
  }
  if (code === EXIT_HEADERS) return new KpyError('HEADERS_INVALID', 'the kernel headers could not be unpacked or are incomplete', { details: { exitCode: code, tail } });
  if (code === EXIT_NO_ARTIFACT) return new KpyError('ARTIFACT_INVALID', 'make succeeded but produced no kpython.ko', { details: { exitCode: code, tail } });
  if (lines.first('nospace')) {
    return new KpyError('BUILD_OUTPUT_TOO_LARGE', 'the build filled its work volume (KPY_BUILD_WORK_MB)', { details: { exitCode: code, tail } });
  }
  if (code === 137) return new KpyError('COMPILE_ERROR', 'the build was killed (out of memory?)', { details: { exitCode: code, tail } });
  const firstError = lines.first('error') ?? lines.first('missing') ?? lines.first('stars');
  return new KpyError('COMPILE_ERROR', `make failed with exit code ${code}${firstError ? `: ${firstError.trim()}` : ''}`, {
    details: { exitCode: code, tail },
  });
}
