import { Router, type RequestHandler } from 'express';
import type { Core } from '../../lib/core.js';
import { BuildRequestSchema } from '../../lib/build-request.js';
import { KpyError } from '../../lib/errors.js';
import { KERNEL_RELEASE_RE } from '../../lib/kernel-version.js';
import { hasToken } from '../auth.js';
import { buildView } from '../build-view.js';
import type { HotArtifacts } from '../hot-artifacts.js';
import type { ReleaseMemo } from '../release-memo.js';
import { fetchedBuildHeaders, sendArtifact } from './send-artifact.js';

export function kernelsRouter(core: Core, writes: RequestHandler, hot: HotArtifacts, releases: ReleaseMemo): Router {
  const r = Router();

  /**
   * Releases the resolver knows, and whether the current inputs are built for
   * each. A release whose compiler this machine has not read yet (its headers
   * package never downloaded) is listed as not built, without a download.
   */
  r.get('/v1/kernels', async (req, res) => {
    // ?arch=arm64: the releases of one architecture (issue 9)
    const arch = typeof req.query.arch === 'string' ? req.query.arch : undefined;
    if (arch !== undefined && !/^[a-z0-9]+$/.test(arch)) throw new KpyError('VALIDATION_FAILED', 'arch is a Debian architecture name (amd64, arm64)');
    const list = (await core.resolver.listReleases()).filter((k) => arch === undefined || k.arch === arch);
    const kernels = await Promise.all(
      list.map(async (k) => {
        const plan = await core.service.plan({ kernel: k.release, force: false }, { cachedOnly: true }).catch(() => undefined);
        const built = plan ? await core.store.has(plan.key) : false;
        // queued, running or failed: the current inputs' build of this release, if one was asked for
        const state = plan ? (built ? 'succeeded' : ((await core.service.status(plan.key))?.state ?? null)) : null;
        return {
          ...k,
          // every listed release builds from archive-verified Debian headers
          trust: 'archive',
          compiler: plan ? { kernel: plan.kernelCompiler.text, image: plan.image.name, match: plan.toolchainMatch } : null,
          built,
          state,
          build: plan && state ? `/v1/builds/${plan.key}` : null,
        };
      }),
    );
    res.json({ suites: core.config.debian.suites, arches: core.config.debian.targetArches, count: kernels.length, kernels });
  });

  /**
   * The CI fetch: the signed module if built, else a build is started (202 +
   * Location). Work is done only for those who may cause it: without a token
   * (when tokens are configured) only what is known without downloading
   * anything is looked at, and a module that is not built yet answers 401;
   * HEAD never starts a build (404 when not built).
   */
  r.get('/v1/kernels/:release/kpython.ko', async (req, res) => {
    const release = String(req.params.release);
    if (!KERNEL_RELEASE_RE.test(release)) throw new KpyError('VALIDATION_FAILED', 'not a kernel release name');
    const version = typeof req.query.version === 'string' ? req.query.version : undefined;
    const archQ = req.query.arch === undefined ? undefined : BuildRequestSchema.innerType().shape.arch.safeParse(req.query.arch).data;
    if (req.query.arch !== undefined && !archQ) throw new KpyError('VALIDATION_FAILED', 'arch is amd64 or arm64');
    const request = { kernel: release, force: false, ...(version ? { version } : {}), ...(archQ ? { arch: archQ } : {}) };
    const mayBuild = hasToken(req, core.config.http.tokens);
    const head = req.method === 'HEAD';
    const plan = mayBuild && !head ? await core.service.plan(request) : await core.service.plan(request, { cachedOnly: true });
    const meta = plan ? await core.store.meta(plan.key) : undefined;
    const ko = meta?.artifacts.find((a) => a.name === 'kpython.ko');
    const path = plan && meta ? await core.store.path(plan.key, 'kpython.ko', ko?.sha256) : undefined;
    if (plan && meta && path) {
      for (const [k, v] of fetchedBuildHeaders(plan.key)) res.setHeader(k, v);
      // The bytes behind this URL change with the newest build of the release: revalidate, never immutable.
      // The bytes of the build are fixed by its key: the same memory slot as the build's own URL.
      await sendArtifact(req, res, path, 'kpython.ko', ko, 'revalidate', { cache: hot, key: `${plan.key}/kpython.ko` });
      // The plain fetch (no version or arch asked) answers the same for a moment: server/release-memo.ts.
      if (Object.keys(req.query).length === 0) releases.remember(release, plan.key);
      return;
    }
    if (!mayBuild) {
      throw new KpyError('UNAUTHORIZED', `kpython.ko for ${release} is not built yet; starting a build needs a bearer token`);
    }
    if (head) throw new KpyError('ARTIFACT_NOT_FOUND', `kpython.ko for ${release} is not built yet; GET starts a build`);
    await new Promise<void>((resolve, reject) => writes(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    const { build } = await core.service.submit(request);
    res.status(202).location(`/v1/builds/${build.id}`).setHeader('Retry-After', '5').setHeader('Cache-Control', 'no-store').json(buildView(build));
  });

  return r;
}
