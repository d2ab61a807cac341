import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Core } from '../lib/core.js';
import { KpyError } from '../lib/errors.js';
import { openapiDocument } from './openapi.js';
import { FollowerGate } from './follower-gate.js';
import { FinishedViews } from './finished-views.js';
import { HotArtifacts } from './hot-artifacts.js';
import { hotReads } from './hot-reads.js';
import { requestId } from './request-id.js';
import { problemHandler } from './problem.js';
import { rateLimit } from './rate-limit.js';
import { redisGuard } from './redis-guard.js';
import { headersRouter } from './routes/headers.js';
import { buildsRouter, SEALED_ARTIFACTS } from './routes/builds.js';
import { healthRouter, type ReadinessCheck } from './routes/health.js';
import { kernelsRouter } from './routes/kernels.js';
import { dashboardRouter } from './routes/dashboard.js';
import { loadDashboardAssets } from './dashboard/assets.js';
import { keysRouter } from './routes/keys.js';
import { aptRouter } from './routes/apt.js';

export interface AppDeps {
  core: Core;
  /** extra readiness checks (e.g. Docker when this process runs a worker) */
  readiness?: ReadinessCheck[];
}

/** The HTTP API as an express app, not listening: main.ts listens, tests call it directly. */
export function buildApp(deps: AppDeps): Express {
  const { core } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // One memory budget for the artifacts both download routes serve.
  const hot = new HotArtifacts(core.config.http.hotArtifactBytes);
  const views = new FinishedViews(core.records, core.config.http.finishedViewBytes, core.store.settleMs);
  app.use(hotReads({ redis: core.redis, views, hot, sealed: SEALED_ARTIFACTS, log: core.log.child({ component: 'http' }) }));
  app.use(
    pinoHttp({
      logger: core.log.child({ component: 'http' }),
      genReqId: requestId,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );
  app.get('/openapi.json', (_req, res) => {
    res.json(openapiDocument);
  });
  app.use(healthRouter(core, deps.readiness ?? []));
  // The dashboard's page and assets need no Redis: they load (and show the API's errors) while it is down.
  app.use(dashboardRouter(loadDashboardAssets()));
  // Below this line every route may need Redis: 503 instead of hanging while it is down.
  app.use(redisGuard(core.redis));
  // One budget per client for everything that can start work (builds, uploads).
  const writes = rateLimit(core.config.http.rateLimitPerMin);
  const followers = new FollowerGate(core.config.http.maxLogFollowers, core.config.http.maxLogFollowersPerClient);
  app.use(buildsRouter(core, writes, followers, hot, views));
  app.use(kernelsRouter(core, writes, hot));
  app.use(headersRouter(core, writes));
  app.use(keysRouter(core));
  app.use(aptRouter(core));
  app.use((req, _res, next) => next(new KpyError('NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(problemHandler);
  return app;
}
