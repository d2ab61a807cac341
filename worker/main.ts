import { loadConfig } from '../lib/config.js';
import { createCore } from '../lib/core.js';
import { installCrashPolicy } from '../lib/crash-policy.js';
import { createLogger } from '../lib/logger.js';
import { runMain } from '../lib/main-guard.js';
import { Metrics } from '../lib/metrics.js';
import { onShutdown } from '../lib/shutdown.js';
import { startWorkerRuntime } from './worker-runtime.js';

/** `npm run start:worker`: a build worker without the API (scale out against one Redis). */
runMain(async () => {
  const config = await loadConfig();
  const log = createLogger(config.logLevel, 'kpython-worker');
  const metrics = new Metrics(true);
  installCrashPolicy(log, metrics.unhandled);
  const core = await createCore(config, log, { metrics });
  const runtime = await startWorkerRuntime(core);
  log.info({ workerId: config.build.workerId, queue: config.redis.queue }, 'build worker ready');
  onShutdown(log, async () => {
    await runtime.close();
    await core.close();
  });
});
