import { once } from 'node:events';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { BUILD_ID_RE } from '../../lib/build-plan.js';
import { BuildRequestSchema } from '../../lib/build-request.js';
import type { Core } from '../../lib/core.js';
import { KpyError } from '../../lib/errors.js';
import { requireToken } from '../auth.js';
import { buildSummary, buildView } from '../build-view.js';
import type { FollowerGate } from '../follower-gate.js';
import { jsonBody } from '../json-body.js';
import type { FinishedViews } from '../finished-views.js';
import type { HotArtifacts } from '../hot-artifacts.js';
import { sendArtifact, streamFile } from './send-artifact.js';
import { streamLog } from './stream-log.js';

export const ARTIFACT_NAMES = ['kpython.ko', 'kpython.ko.sig', 'provenance.json', 'build.log', 'kpython.unsigned.ko', 'kpython.ko.debug'] as const;

/** The Debian packages of an archive build and their detached signatures (names from its meta). */
const isPackageArtifact = (name: string, packages: { fileName: string }[] | undefined) =>
  (packages ?? []).some((p) => name === p.fileName || name === `${p.fileName}.sig`);

/**
 * Artifacts whose bytes the build key fixes. A forced rebuild re-signs and
 * replaces the detached signature, the provenance and the log (new times);
 * a failed build's log is replaced by a retry: those are revalidated.
 */
export const SEALED_ARTIFACTS: ReadonlySet<string> = new Set(['kpython.ko', 'kpython.unsigned.ko', 'kpython.ko.debug']);

export const MAX_LIST = 100;

const ListQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(MAX_LIST).default(20) })
  .strict();

const requireJson: RequestHandler = (req, _res, next) => {
  next(req.is('application/json') ? undefined : new KpyError('UNSUPPORTED_MEDIA_TYPE', 'send the build request as application/json'));
};

export function buildsRouter(core: Core, writes: RequestHandler, followers: FollowerGate, hot: HotArtifacts, views: FinishedViews): Router {
  const r = Router();
  const { config, service } = core;

  r.post(
    '/v1/builds',
    requireToken(config.http.tokens),
    writes,
    requireJson,
    jsonBody(config.http.maxBodyBytes),
    async (req, res) => {
      const body = BuildRequestSchema.parse(req.body ?? {});
      const { outcome, build } = await service.submit(body);
      const view = buildView(build);
      if (outcome === 'cached') {
        res.status(200).json(view);
        return;
      }
      res.status(202).location(`/v1/builds/${build.id}`).json(view);
    },
  );

  /** The builds whose state changed last, newest first (the dashboard's list). Bounded: at most MAX_LIST. */
  r.get('/v1/builds', async (req, res) => {
    const { limit } = ListQuerySchema.parse(req.query);
    const ids = await core.records.recent(limit);
    const builds = (await Promise.all(ids.map((id) => service.status(id)))).flatMap((b) => (b ? [buildSummary(b)] : []));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ count: builds.length, builds });
  });

  r.get('/v1/builds/:id', async (req, res) => {
    const b = await requireBuild(core, req);
    const body = Buffer.from(JSON.stringify(buildView(b)));
    // Finished builds are read again and again: server/hot-reads.ts answers those from here on.
    views.remember(b, body);
    res.type('application/json; charset=utf-8').send(body);
  });

  r.get('/v1/builds/:id/log', async (req, res) => {
    const b = await requireBuild(core, req);
    if (req.accepts(['text/plain', 'text/event-stream']) === 'text/event-stream') {
      await streamLog(core, followers, b.id, req, res);
      return;
    }
    await sendPlainLog(core, b.id, b.state, res);
  });

  r.get('/v1/builds/:id/artifacts/:name', async (req, res) => {
    const name = String(req.params.name);
    // A module of a build key has one possible content: once it has been
    // served from memory, server/hot-reads.ts serves it again without looking the build up.
    const b = await requireBuild(core, req);
    if (!(ARTIFACT_NAMES as readonly string[]).includes(name) && !isPackageArtifact(name, b.meta?.packages)) {
      throw new KpyError('ARTIFACT_NOT_FOUND', `no artifact named ${name}; known: ${ARTIFACT_NAMES.join(', ')}`);
    }
    const known = b.meta?.artifacts.find((a) => a.name === name);
    const path = await core.store.path(b.id, name, known?.sha256);
    if (!path) throw new KpyError('ARTIFACT_NOT_FOUND', `build ${b.id} (${b.state}) has no ${name}`);
    // Packages are reproducible from the key too, but only the module's
    // bytes are sealed in memory (served without a lookup); the rest are
    // held under their digest.
    const fixed = SEALED_ARTIFACTS.has(name) || name.endsWith('.deb');
    const immutable = b.state === 'succeeded' && known !== undefined && fixed;
    await sendArtifact(req, res, path, name, known, immutable ? 'immutable' : 'revalidate', {
      cache: hot,
      key: immutable && SEALED_ARTIFACTS.has(name) ? `${b.id}/${name}` : `${b.id}/${name}/${known?.sha256 ?? ''}`,
    });
  });

  return r;
}

async function requireBuild(core: Core, req: Request) {
  const id = String(req.params.id);
  if (!BUILD_ID_RE.test(id)) throw new KpyError('BUILD_NOT_FOUND', 'build ids are 64 hex digits');
  const b = await core.service.status(id);
  if (!b) throw new KpyError('BUILD_NOT_FOUND', `no build ${id}`);
  return b;
}

async function sendPlainLog(core: Core, id: string, state: string, res: Response): Promise<void> {
  res.type('text/plain; charset=utf-8');
  // The log grows while the build runs and is replaced by a retry of a failed build.
  res.setHeader('Cache-Control', state === 'succeeded' ? 'no-cache' : 'no-store');
  const stored = await core.store.path(id, 'build.log');
  if (stored && (await core.logs.size(id)) === 0) {
    await streamFile(stored, res);
    return;
  }
  // Page by page, waiting for the client: a slow reader of a big live log holds one page.
  for await (const page of core.logs.pages(id)) {
    if (res.destroyed) return;
    const text = page.flatMap((e) => ('line' in e ? [`${e.line}\n`] : [])).join('');
    if (!res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]).catch(() => undefined);
  }
  res.end();
}
