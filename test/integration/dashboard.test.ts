import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, PERF_PROBE, READ_TIMINGS, type PageTimings } from './helpers/browser.js';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, REPO_ROOT, type TestEnv } from './helpers/test-core.js';
import { listen } from './helpers/test-server.js';

/** Screenshots are kept here (git-ignored) for people to look at after a run. */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'dashboard');

/** WCAG contrast of every text colour the page uses against its background (in the page). */
const CONTRASTS = `(() => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = rgb(getComputedStyle(document.documentElement).backgroundColor);
  const out = {};
  for (const el of document.querySelectorAll('body, a, .muted, .note, .state, th, td, dt, .error')) {
    const fg = rgb(getComputedStyle(el).color);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const key = el.className || el.tagName.toLowerCase();
    out[key] = Math.min(out[key] ?? 99, (a + 0.05) / (b + 0.05));
  }
  return out;
})()`;

describe('dashboard in headless Chromium against a real service and build', () => {
  let env: TestEnv;
  let server: { url: string; close(): Promise<void> };
  let src: string;
  let kernel: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  before(async () => {
    // A build that prints a line, then works for a few seconds: the page must show that line while it runs.
    src = await makeStandInSources('slow', `dash-${Date.now()}`, { slowSec: 4 });
    env = await makeTestEnv({ sourceDir: src, worker: true });
    server = await listen(env);
    kernel = await currentBookwormKernel(env.core);
    browser = await launchChromium();
    await browser.context.addInitScript(PERF_PROBE);
    await mkdir(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await env?.cleanup();
    if (src) await rm(src, { recursive: true, force: true });
  });

  const ready = (page: Page) => page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });

  it('GET /v1/builds is bounded and answers problem+json for a bad limit', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'other=1']) {
      const res = await fetch(`${server.url}/v1/builds?${q}`);
      assert.equal(res.status, 400, q);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(((await res.json()) as { code: string }).code, 'VALIDATION_FAILED');
    }
    const empty = (await (await fetch(`${server.url}/v1/builds`)).json()) as { count: number };
    assert.equal(empty.count, 0);
  });

  it('serves the page revalidated and its assets immutable under a content hash, compressed', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const etag = res.headers.get('etag') ?? '';
    const html = await res.text();
    const css = /href="(\/assets\/[0-9a-f]{16}\/dashboard\.css)"/.exec(html)?.[1];
    const js = /src="(\/assets\/[0-9a-f]{16}\/main\.js)"/.exec(html)?.[1];
    assert.ok(css && js, html);
    assert.equal((await fetch(`${server.url}/`, { headers: { 'if-none-match': etag } })).status, 304);
    const a = await fetch(`${server.url}${js}`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(a.headers.get('content-encoding'), 'br');
    assert.match(a.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await fetch(`${server.url}${js.replace(/[0-9a-f]{16}/, '0'.repeat(16))}`)).status, 404, 'another version is not served');
  });

  it('follows a build to success (live log lines, state), lists the built kernel, reaches the build by keyboard', async () => {
    const page = await browser.context.newPage();
    const post = await fetch(`${server.url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kernel }) });
    assert.equal(post.status, 202);
    const { id } = (await post.json()) as { id: string };

    await page.goto(`${server.url}/builds/${id}`);
    await ready(page);
    // The line the build prints before it sleeps appears while the page still says the build runs.
    await page.waitForFunction(() => /\bslow\b/.test(document.getElementById('log')?.textContent ?? ''), undefined, { timeout: 240_000 });
    const whileRunning = await page.textContent('#status');
    assert.doesNotMatch(whileRunning ?? '', /succeeded/, 'a log line arrived live, before the build ended');
    await page.waitForFunction(() => /succeeded/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 240_000 });
    await page.waitForFunction(() => /Log complete/.test(document.getElementById('log-state')?.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.match((await page.textContent('#log')) ?? '', /LD \[M\]/, 'the compile lines came through the live stream');

    const list = (await (await fetch(`${server.url}/v1/builds?limit=5`)).json()) as { count: number; builds: { id: string; state: string; inputs?: unknown }[] };
    assert.equal(list.builds[0]?.id, id, 'GET /v1/builds: the newest change first');
    assert.equal(list.builds[0]?.state, 'succeeded');
    assert.equal(list.builds[0]?.inputs, undefined, 'a list entry leaves the inputs out');
    const view = (await (await fetch(`${server.url}/v1/builds/${id}`)).json()) as { suite: string; artifacts: { name: string; sha256: string }[] };
    assert.match(view.suite, /^bookworm/, 'the build names the archive suite of its headers');
    const ko = view.artifacts.find((x) => x.name === 'kpython.ko');
    assert.ok(ko);
    await page.waitForSelector('table.artifacts');
    const artifacts = (await page.textContent('table.artifacts')) ?? '';
    for (const a of view.artifacts) assert.ok(artifacts.includes(a.name) && artifacts.includes(a.sha256), `${a.name} with its sha256 is listed`);
    const commands = (await page.textContent('main')) ?? '';
    assert.match(commands, new RegExp(`kpython verify kpython\\.ko --server ${server.url.replace(/\./g, '\\.')}`));
    assert.match(commands, new RegExp(`kpython fetch --server \\S+ --kernel ${kernel.replace(/\./g, '\\.')}`));
    const shot = join(ARTIFACTS, `build-${Date.now()}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(`# dashboard screenshot: ${shot}\n`);

    // The front page: the built kernel, the build among the recent ones.
    await page.goto(`${server.url}/`);
    await ready(page);
    const row = (await page.textContent(`tr[data-release="${kernel}"]`)) ?? '';
    assert.match(row, /succeeded/, `the kernels table shows ${kernel} built: ${row}`);
    assert.match(row, /archive/);
    assert.ok(((await page.textContent('table')) ?? '').includes(id.slice(0, 12)), 'the build is among the recent builds');
    const home = join(ARTIFACTS, `home-${Date.now()}.png`);
    await page.screenshot({ path: home });
    process.stdout.write(`# dashboard screenshot: ${home}\n`);

    // Keyboard only: Tab to the build's link, Enter opens its page.
    let tabs = 0;
    for (; tabs < 40; tabs++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.getAttribute('href'))) === `/builds/${id}`) break;
    }
    assert.ok(tabs < 40, 'the build link is reachable with Tab');
    const visible = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    assert.notEqual(visible, 'none', 'the focused link shows a focus ring');
    await Promise.all([page.waitForURL(`${server.url}/builds/${id}`), page.keyboard.press('Enter')]);
    await ready(page);
    assert.match((await page.textContent('#status')) ?? '', /succeeded/);

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [what, ratio] of Object.entries((await page.evaluate(CONTRASTS)) as Record<string, number>)) {
        assert.ok(ratio >= 4.5, `${scheme}: text contrast of ${what} is ${ratio.toFixed(2)}:1, below WCAG AA`);
      }
    }
    await page.close();
  });

  it('loads fast and without layout shift (first paint, time to interactive; cold and warm cache)', async () => {
    const measure = async (path: string) => {
      const page = await browser.context.newPage();
      await page.goto(`${server.url}${path}`);
      await ready(page);
      await page.waitForTimeout(300); // let late long tasks or shifts land in the observers
      const t = (await page.evaluate(READ_TIMINGS)) as PageTimings;
      await page.close();
      return t;
    };
    const cdp = await browser.context.newCDPSession(await browser.context.newPage());
    await cdp.send('Network.clearBrowserCache');
    const cold = await measure('/');
    const warm = await measure('/');
    const { builds } = (await (await fetch(`${server.url}/v1/builds?limit=1`)).json()) as { builds: { id: string }[] };
    const buildPage = await measure(`/builds/${builds[0]?.id ?? ''}`);
    for (const [name, t] of Object.entries({ cold, warm, build: buildPage })) {
      process.stdout.write(
        `# dashboard ${name}: first contentful paint ${t.fcpMs.toFixed(0)} ms, interactive ${t.ttiMs.toFixed(0)} ms, ` +
          `DOMContentLoaded ${t.domContentLoadedMs.toFixed(0)} ms, CLS ${t.cls.toFixed(4)}, ${t.transferBytes} bytes transferred\n`,
      );
      assert.ok(t.fcpMs > 0, `${name}: a first contentful paint was recorded`);
      assert.ok(t.cls < 0.01, `${name}: layout shift ${t.cls}: ${t.shifts.join('; ')}`);
      assert.ok(t.ttiMs < 5000, `${name}: interactive within 5 s (${t.ttiMs} ms)`);
    }
    assert.ok(warm.transferBytes < cold.transferBytes, 'a warm load fetches less: assets come from the cache');
  });
});
