import { mirrorForSuite } from '../config.js';
import type { Core } from '../core.js';
import { InReleasePoller } from './inrelease-poller.js';
import { PrebuildWatcher } from './prebuild-watcher.js';

/** The prebuild watcher of an API process, when KPY_PREBUILD names suites; undefined otherwise. */
export function startPrebuild(core: Core): PrebuildWatcher | undefined {
  const { prebuild, debian } = core.config;
  if (prebuild.suites.length === 0) return undefined;
  const log = core.log.child({ component: 'prebuild' });
  const watcher = new PrebuildWatcher(prebuild, {
    poller: new InReleasePoller(),
    inReleaseUrl: (suite) => `${mirrorForSuite(debian, suite)}/dists/${suite}/InRelease`,
    releases: async () => {
      core.resolver.invalidate?.();
      return core.resolver.listReleases();
    },
    submit: (req) => core.service.submit(req, { origin: 'prebuild' }),
    state: async (release) => {
      const plan = await core.service.plan({ kernel: release, arch: 'amd64', force: false }, { cachedOnly: true });
      return plan ? (await core.service.status(plan.key))?.state : undefined;
    },
    report: (release, state) => {
      for (const s of ['succeeded', 'queued', 'running', 'failed']) core.metrics.prebuild.set({ release, state: s }, s === state ? 1 : 0);
    },
    log,
  });
  watcher.start();
  log.info({ suites: prebuild.suites, flavours: prebuild.flavours, intervalSec: prebuild.intervalMs / 1000 }, 'prebuild watcher started');
  return watcher;
}
