import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { checkExposure, loadConfig } from '../lib/config.js';
import { createCore } from '../lib/core.js';
import { installCrashPolicy } from '../lib/crash-policy.js';
import { createLogger } from '../lib/logger.js';
import { runMain } from '../lib/main-guard.js';
import { Metrics } from '../lib/metrics.js';
import { onShutdown } from '../lib/shutdown.js';
import { startPrebuild } from '../lib/prebuild/start-prebuild.js';
import { startWorkerRuntime } from '../worker/worker-runtime.js';
import { buildApp } from './app.js';

/** How often an API on a shared bucket rebuilds its apt indexes (builds published by other hosts). */
const APT_REFRESH_MS = 60_000;

/**
 * `npm start`: the API and one worker in one process (role "all", the
 * embedded default); `--role=api` runs the API alone.
 */
runMain(async () => {
  const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } } });
  if (values.role !== 'all' && values.role !== 'api') throw new Error('--role is "all" or "api"');
  const config = await loadConfig();
  checkExposure(config.http);
  const log = createLogger(config.logLevel);
  const metrics = new Metrics(true);
  installCrashPolicy(log, metrics.unhandled);
  const core = await createCore(config, log, { metrics });
  const worker = values.role === 'all' ? await startWorkerRuntime(core) : undefined;
  const app = buildApp({
    core,
    readiness: worker ? [{ name: 'docker', check: () => worker.containers.ping() }] : [],
  });
  const server: Server = app.listen(config.http.port, config.http.host);
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  log.info({ url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, role: values.role, dataDir: config.dataDir }, 'kpython build service listening');
  // KPY_PREBUILD: new releases of those suites are queued below people's requests.
  const prebuild = startPrebuild(core);
  // A shared bucket: workers publish elsewhere, so an API alone regenerates its own apt indexes from it.
  const aptRefresh = () => void core.publishApt().catch((err: unknown) => log.warn({ err }, 'regenerating the apt indexes from the store failed'));
  const aptTimer = values.role === 'api' && config.store.kind === 's3' ? setInterval(aptRefresh, APT_REFRESH_MS) : undefined;
  if (aptTimer) aptRefresh();
  onShutdown(log, async () => {
    await prebuild?.stop();
    clearInterval(aptTimer);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Live log streams never end by themselves: end them, then drop their idle connections.
    await core.logs.close();
    setTimeout(() => server.closeIdleConnections(), 100).unref();
    await worker?.close();
    server.closeIdleConnections();
    await closed;
    await core.close();
  });
});
