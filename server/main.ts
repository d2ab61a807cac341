import { once } from 'node:events';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.js';
import { createCore } from '../lib/core.js';
import { createLogger } from '../lib/logger.js';
import { runMain } from '../lib/main-guard.js';
import { Metrics } from '../lib/metrics.js';
import { onShutdown } from '../lib/shutdown.js';
import { startWorkerRuntime } from '../worker/worker-runtime.js';
import { buildApp } from './app.js';

/**
 * `npm start`: the API and one worker in one process (role "all", the
 * embedded default); `--role=api` runs the API alone.
 */
runMain(async () => {
  const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } } });
  if (values.role !== 'all' && values.role !== 'api') throw new Error('--role is "all" or "api"');
  const config = await loadConfig();
  const log = createLogger(config.logLevel);
  const core = await createCore(config, log, { metrics: new Metrics(true) });
  const worker = values.role === 'all' ? await startWorkerRuntime(core) : undefined;
  const app = buildApp({
    core,
    readiness: worker ? [{ name: 'docker', check: () => worker.containers.ping() }] : [],
  });
  const server: Server = app.listen(config.http.port, config.http.host);
  await once(server, 'listening');
  log.info({ url: `http://${config.http.host}:${config.http.port}`, role: values.role, dataDir: config.dataDir }, 'kpython build service listening');
  onShutdown(log, async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await worker?.close();
    await closed;
    await core.close();
  });
});
