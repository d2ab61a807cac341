import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); KPY_CHROMIUM names another binary. */
export const CHROMIUM = process.env.KPY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium with a fresh profile and nothing that talks to the
 * internet on its own (background networking, component updates, sync,
 * QUIC): every request it makes is one the page makes.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set KPY_CHROMIUM)`);
  const profile = await mkdtemp(join(tmpdir(), 'kpy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Registered before any page script: paint, long tasks and layout shifts from the very start. */
export const PERF_PROBE = `
  window.__kpy = { longTaskEnd: 0, cls: 0, shifts: [] };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__kpy.longTaskEnd = Math.max(window.__kpy.longTaskEnd, e.startTime + e.duration); }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) { window.__kpy.cls += e.value; window.__kpy.shifts.push(e.value.toFixed(4) + ' ' + (e.sources || []).map((s) => s.node ? (s.node.nodeName + '.' + (s.node.className || s.node.id || '')) : '?').join(',')); } }).observe({ type: 'layout-shift', buffered: true });
`;

export interface PageTimings {
  /** first contentful paint, ms from navigation start */
  fcpMs: number;
  /** rendered with data, handlers attached, and no long task after it (ms) */
  ttiMs: number;
  domContentLoadedMs: number;
  /** cumulative layout shift */
  cls: number;
  /** each shift: its value and the elements that moved */
  shifts: string[];
  transferBytes: number;
}

/** Read the timings of the page's load (call once its `data-ready` is set). */
export const READ_TIMINGS = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const ready = performance.getEntriesByName('kpython-ready')[0];
  const res = performance.getEntriesByType('resource');
  return {
    fcpMs: fcp ? fcp.startTime : -1,
    ttiMs: Math.max(ready ? ready.startTime : -1, nav.domContentLoadedEventEnd, window.__kpy.longTaskEnd),
    domContentLoadedMs: nav.domContentLoadedEventEnd,
    cls: window.__kpy.cls,
    shifts: window.__kpy.shifts,
    transferBytes: nav.transferSize + res.reduce((a, r) => a + r.transferSize, 0),
  };
})()`;
