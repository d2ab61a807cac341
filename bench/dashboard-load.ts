import { launchChromium, PERF_PROBE, READ_TIMINGS, type PageTimings } from '../test/integration/helpers/browser.js';

/**
 * `npm run bench:dashboard`: load the dashboard of a running service
 * (KPY_URL, default http://127.0.0.1:8080) in headless Chromium, cold
 * (browser cache cleared) and warm, KPY_BENCH_LOADS times each (10), for `/`
 * and the newest build's page; print median and worst first contentful
 * paint, time to interactive (rendered with data, handlers attached, no long
 * task after) and layout shift.
 */
const url = (process.env.KPY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const loads = Number(process.env.KPY_BENCH_LOADS ?? 10);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const { builds } = (await (await fetch(`${url}/v1/builds?limit=1`)).json()) as { builds: { id: string }[] };
  const paths = ['/', ...(builds[0] ? [`/builds/${builds[0].id}`] : [])];
  const browser = await launchChromium();
  try {
    await browser.context.addInitScript(PERF_PROBE);
    const cdp = await browser.context.newCDPSession(browser.context.pages()[0] ?? (await browser.context.newPage()));
    for (const path of paths) {
      for (const mode of ['cold', 'warm'] as const) {
        const runs: PageTimings[] = [];
        for (let i = 0; i < loads; i++) {
          if (mode === 'cold') await cdp.send('Network.clearBrowserCache');
          const page = await browser.context.newPage();
          await page.goto(`${url}${path}`);
          await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
          await page.waitForTimeout(200);
          runs.push((await page.evaluate(READ_TIMINGS)) as PageTimings);
          await page.close();
        }
        const f = (k: 'fcpMs' | 'ttiMs') => `${median(runs.map((r) => r[k])).toFixed(0)} ms (worst ${Math.max(...runs.map((r) => r[k])).toFixed(0)})`;
        process.stdout.write(
          `${path.length > 20 ? `${path.slice(0, 20)}…` : path} ${mode}, ${loads} loads: first contentful paint ${f('fcpMs')}, interactive ${f('ttiMs')}, ` +
            `max CLS ${Math.max(...runs.map((r) => r.cls)).toFixed(4)}, ${median(runs.map((r) => r.transferBytes))} bytes\n`,
        );
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
