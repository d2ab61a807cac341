import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ArtifactStore } from '../../lib/artifact-store.js';
import { BuildRecords } from '../../lib/build-records.js';
import { LogBus } from '../../lib/log-bus.js';
import { spawnService, type ProcStats, type SpawnedService } from './helpers/spawned-service.js';

/** Tolerances for "back at the baseline". */
const FD_SLACK = 5;
const RSS_SLACK_MIB = 96;

/**
 * Load on the compiled service in its own process (loopback only): 200
 * concurrent status requests, 50 SSE followers of one live build, 100
 * downloads aborted mid-file; afterwards its file descriptors, Redis
 * connections (CLIENT LIST by connection name) and RSS are back at their
 * baseline within the tolerances above. The figures are printed.
 */
describe('load: status requests, SSE followers, aborted downloads; then back to the baseline', () => {
  let svc: SpawnedService;
  let redis: Redis;
  let logs: LogBus;
  const built = randomBytes(32).toString('hex');
  const live = randomBytes(32).toString('hex');
  let base: ProcStats & { redis: number };
  const figures: Record<string, unknown> = {};

  before(async () => {
    svc = await spawnService();
    redis = new Redis(svc.redisUrl);
    logs = new LogBus(redis, svc.prefix);
    // A stored build with a 16 MiB module (to abort downloads of), and a running build with a live log.
    await new ArtifactStore(svc.dataDir).commit(built, new Map([['kpython.ko', randomBytes(16 * 1024 * 1024)]]), {
      key: built,
      release: '6.1.0-1-amd64',
      unsignedSha256: '0'.repeat(64),
      vermagic: 'x',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: 1,
    });
    await new BuildRecords(redis, svc.prefix).update(live, { state: 'running' });
    logs.append(live, 'first line');
    await logs.flush();
    // Warm up each path once (lazy connections, JIT), then take the baseline.
    await (await fetch(`${svc.url}/v1/builds/${built}`)).text();
    await abortedDownload();
    const warm = new AbortController();
    const r = await fetch(`${svc.url}/v1/builds/${live}/log`, { headers: { accept: 'text/event-stream' }, signal: warm.signal });
    await r.body?.getReader().read();
    warm.abort();
    await settle();
    base = { ...(await svc.stats()), redis: await svc.redisConnections() };
    figures.baseline = base;
  });
  after(async () => {
    console.log(`load figures: ${JSON.stringify(figures, null, 1)}`);
    redis?.disconnect();
    await svc?.stop();
  });

  const settle = () => new Promise((r) => setTimeout(r, 1500));

  /** GET the module, read its first bytes, then drop the connection. */
  async function abortedDownload(): Promise<void> {
    const sock = connect(Number(new URL(svc.url).port), '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(`GET /v1/builds/${built}/artifacts/kpython.ko HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((r) => sock.once('data', r));
    sock.destroy();
  }

  it('200 concurrent status requests all answer 200', async () => {
    const t0 = performance.now();
    const statuses = await Promise.all(Array.from({ length: 200 }, () => fetch(`${svc.url}/v1/builds/${built}`).then(async (r) => (await r.text(), r.status))));
    figures.status200 = { ms: Math.round(performance.now() - t0), ok: statuses.filter((s) => s === 200).length };
    assert.equal(statuses.filter((s) => s === 200).length, 200);
  });

  it('50 SSE followers share one Redis connection, all get every live line and the end, and are closed', async () => {
    const open = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${svc.url}/v1/builds/${live}/log`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(30_000) })),
    );
    assert.ok(open.every((r) => r.status === 200));
    const bodies = open.map((r) => r.text());
    await new Promise((r) => setTimeout(r, 500));
    const during = await svc.redisConnections();
    const fdsDuring = (await svc.stats()).fds;
    figures.sse50 = { redisConnectionsDuring: during, namedInClientList: await svc.namedRedisConnections(), fdsDuring };
    assert.ok(during <= base.redis + 1, `${during} Redis connections with 50 followers (baseline ${base.redis})`);
    for (let i = 0; i < 20; i++) logs.append(live, `line ${i}`);
    await logs.flush();
    await logs.end(live, 'succeeded');
    for (const b of await Promise.all(bodies)) {
      assert.match(b, /event: end\ndata: succeeded/);
      assert.equal((b.match(/event: line/g) ?? []).length, 21);
    }
  });

  it('100 aborted downloads', async () => {
    const t0 = performance.now();
    for (let i = 0; i < 100; i += 10) await Promise.all(Array.from({ length: 10 }, () => abortedDownload()));
    figures.aborted100 = { ms: Math.round(performance.now() - t0) };
  });

  it('file descriptors, Redis connections and RSS return to the baseline', async () => {
    let now = await svc.stats();
    let conns = await svc.redisConnections();
    const until = Date.now() + 15_000;
    while ((now.fds > base.fds + FD_SLACK || conns > base.redis) && Date.now() < until) {
      await settle();
      now = await svc.stats();
      conns = await svc.redisConnections();
    }
    figures.after = { ...now, redis: conns };
    assert.ok(now.fds <= base.fds + FD_SLACK, `fds ${now.fds}, baseline ${base.fds}`);
    assert.ok(conns <= base.redis, `Redis connections ${conns}, baseline ${base.redis}`);
    assert.ok(now.rssMiB <= base.rssMiB + RSS_SLACK_MIB, `RSS ${now.rssMiB.toFixed(0)} MiB, baseline ${base.rssMiB.toFixed(0)} MiB`);
  });

  it('a second round of status requests and aborted downloads: nothing grows', async () => {
    const first = await svc.stats();
    await Promise.all(Array.from({ length: 200 }, () => fetch(`${svc.url}/v1/builds/${built}`).then((r) => r.text())));
    for (let i = 0; i < 100; i += 10) await Promise.all(Array.from({ length: 10 }, () => abortedDownload()));
    let now = await svc.stats();
    const until = Date.now() + 15_000;
    while (now.fds > base.fds + FD_SLACK && Date.now() < until) {
      await settle();
      now = await svc.stats();
    }
    figures.afterSecondRound = now;
    assert.ok(now.fds <= base.fds + FD_SLACK, `fds ${now.fds}, baseline ${base.fds}`);
    // A leak would add up round after round; garbage collection makes RSS wander within the tolerance.
    assert.ok(now.rssMiB <= base.rssMiB + RSS_SLACK_MIB, `RSS ${now.rssMiB.toFixed(0)} MiB after the second round (first ${first.rssMiB.toFixed(0)}, baseline ${base.rssMiB.toFixed(0)})`);
  });
});
