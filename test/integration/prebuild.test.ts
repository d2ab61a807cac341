import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { PREBUILD_PRIORITY } from '../../lib/build-service.js';
import { createLogger } from '../../lib/logger.js';
import { InReleasePoller } from '../../lib/prebuild/inrelease-poller.js';
import { PrebuildWatcher } from '../../lib/prebuild/prebuild-watcher.js';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, type TestEnv } from './helpers/test-core.js';

describe('prebuild: watching InRelease, enqueueing below people', () => {
  let env: TestEnv;
  let src: string;
  let server: Server;
  let base: string;
  const hits: { status: number; conditional: boolean }[] = [];
  let generation = 1;

  before(async () => {
    src = await makeStandInSources('ok', `prebuild-${Date.now()}`);
    env = await makeTestEnv({ sourceDir: src, worker: false });
    // A stand-in mirror answering InRelease with validators, as Debian's mirrors do.
    server = createServer((req, res) => {
      const etag = `"gen-${generation}"`;
      const conditional = req.headers['if-none-match'] !== undefined;
      const status = req.headers['if-none-match'] === etag ? 304 : 200;
      hits.push({ status, conditional });
      res.writeHead(status, { etag, 'last-modified': new Date(0).toUTCString() });
      res.end(status === 200 ? `signed text ${generation}\n` : undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await env?.cleanup();
    await rm(src, { recursive: true, force: true });
  });

  it('asks conditionally; a new InRelease enqueues the suites\' releases at prebuild priority; a person\'s request lifts one to the front', async () => {
    const kernel = await currentBookwormKernel(env.core);
    const listing = (await env.core.resolver.listReleases()).filter((k) => k.release === kernel);
    const states: Record<string, string> = {};
    const watcher = new PrebuildWatcher(
      { suites: ['bookworm-security', 'bookworm'], flavours: ['amd64'], intervalMs: 3600_000 },
      {
        poller: new InReleasePoller(),
        inReleaseUrl: (suite) => `${base}/dists/${suite}/InRelease`,
        releases: async () => listing,
        submit: (req) => env.core.service.submit(req, { origin: 'prebuild' }),
        report: (release, state) => (states[release] = state),
        state: async (release) => {
          const plan = await env.core.service.plan({ kernel: release, arch: 'amd64', force: false }, { cachedOnly: true });
          return plan ? (await env.core.service.status(plan.key))?.state : undefined;
        },
        log: createLogger('silent'),
      },
    );
    const first = await watcher.tick();
    assert.deepEqual(first.changed, ['bookworm-security', 'bookworm'], 'the first look counts as a change');
    assert.deepEqual(first.enqueued, [kernel]);
    const plan = await env.core.service.plan({ kernel, arch: 'amd64', force: false });
    const job = await env.core.queue.getJob(plan.key);
    assert.equal(job?.opts.priority, PREBUILD_PRIORITY);
    assert.equal(await job?.getState(), 'prioritized', 'behind every job without a priority');
    assert.equal(states[kernel], 'queued');

    const t = performance.now();
    const quiet = await watcher.tick();
    const quietMs = performance.now() - t;
    assert.deepEqual(quiet.changed, [], 'an unchanged archive answers 304');
    assert.ok(hits.slice(-2).every((h) => h.conditional && h.status === 304));

    generation++;
    const again = await watcher.tick();
    assert.deepEqual(again.changed, ['bookworm-security', 'bookworm']);
    assert.deepEqual(again.enqueued, [], 'a release already queued is not queued twice');
    assert.deepEqual(again.present, [kernel]);

    const person = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
    assert.equal(person.outcome, 'joined');
    const lifted = await env.core.queue.getJob(plan.key);
    assert.equal(await lifted?.getState(), 'waiting', 'a person asking lifts the prebuild job out of the backlog');
    console.log(`# prebuild: unchanged-archive tick (2 conditional requests, 304) in ${quietMs.toFixed(1)} ms`);
  });

  it('a mirror without validators is compared by digest', async () => {
    let body = 'one';
    const bare = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/dists/x/InRelease`;
      const poller = new InReleasePoller();
      assert.equal(await poller.changed(url), true);
      assert.equal(await poller.changed(url), false, 'same bytes: unchanged');
      body = 'two';
      assert.equal(await poller.changed(url), true);
    } finally {
      await new Promise<void>((r) => bare.close(() => r()));
    }
  });
});
