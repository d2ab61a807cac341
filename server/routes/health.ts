import { Router } from 'express';
import type { Core } from '../../lib/core.js';

export type ReadinessCheck = { name: string; check: () => Promise<void> };

export function healthRouter(core: Core, checks: ReadinessCheck[]): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (req, res) => {
    const all: ReadinessCheck[] = [{ name: 'redis', check: async () => void (await core.redis.ping()) }, ...checks];
    const results = await Promise.all(
      all.map(async (c) => {
        try {
          await withTimeout(c.check(), 3000);
          return { name: c.name, ok: true };
        } catch (err) {
          // The reason (addresses, paths) goes to the log, not to whoever asks.
          req.log.warn({ err, check: c.name }, 'readiness check failed');
          return { name: c.name, ok: false };
        }
      }),
    );
    const ok = results.every((x) => x.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', checks: results });
  });
  r.get('/metrics', async (_req, res) => {
    const counts = await core.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    for (const [state, n] of Object.entries(counts)) core.metrics.queueDepth.set({ state }, n);
    res.type(core.metrics.registry.contentType).send(await core.metrics.registry.metrics());
  });
  return r;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}
