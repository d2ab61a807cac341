import type { ApiClient, BuildView } from './api-client.js';
import { renderProgressLine, stageChangeLine } from './progress-bar.js';
import { readSseEvents } from './sse.js';

/**
 * Follow a build's live log until it ends. On a terminal (and without
 * --json) one progress line is redrawn: bar, percentage, stage, elapsed
 * time, the newest log line. Elsewhere (CI logs, --json) every log line and
 * every change of stage is printed as a plain line. Everything goes to
 * stderr: stdout stays for results. Returns the final build.
 */
export async function followBuild(api: ApiClient, id: string, opts: { printLines: boolean; json?: boolean }): Promise<BuildView> {
  const tty = process.stderr.isTTY === true && !opts.printLines && !opts.json;
  const t0 = Date.now();
  let last = '';
  let build = await api.json<BuildView>(`/v1/builds/${id}`);
  let shown: { state: string; stage: string | null } | undefined;
  const elapsed = () => Date.now() - (build.startedAt ? Date.parse(build.startedAt) : t0);
  const draw = () => {
    if (tty) {
      // A pty without a size reports 0 columns.
      const width = (process.stderr.columns || 100) - 1;
      const line = renderProgressLine({ state: build.state, stage: build.stage, progress: build.progress, elapsedMs: elapsed(), last }, width);
      process.stderr.write(`\r\x1b[2K${line}`);
      return;
    }
    const change = stageChangeLine(id, shown, build);
    if (change) process.stderr.write(`${change}\n`);
    shown = { state: build.state, stage: build.stage };
  };
  draw();
  const poll = setInterval(() => {
    api.json<BuildView>(`/v1/builds/${id}`).then((b) => {
      build = b;
      draw();
    }, () => undefined);
  }, 1000);
  try {
    const res = await api.request(`/v1/builds/${id}/log`, { headers: { accept: 'text/event-stream' } });
    for await (const ev of readSseEvents(res)) {
      if (ev.event === 'end') break;
      last = ev.data;
      if (tty) draw();
      else process.stderr.write(`${opts.printLines ? '' : `[${id.slice(0, 12)}] `}${ev.data}\n`);
    }
  } finally {
    clearInterval(poll);
    if (tty) process.stderr.write('\r\x1b[2K');
  }
  build = await api.json<BuildView>(`/v1/builds/${id}`);
  if (!tty) draw();
  return build;
}
