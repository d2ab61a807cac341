import type { ApiClient, BuildView } from './api-client.js';
import { readSseEvents } from './sse.js';

/**
 * Follow a build's live log until it ends. On a terminal one status line is
 * redrawn (state, stage, last log line); elsewhere (CI logs) every log line
 * is printed plainly. Returns the final build.
 */
export async function followBuild(api: ApiClient, id: string, opts: { printLines: boolean }): Promise<BuildView> {
  const tty = process.stderr.isTTY === true && !opts.printLines;
  let last = '';
  let build = await api.json<BuildView>(`/v1/builds/${id}`);
  const draw = () => {
    if (!tty) return;
    const width = (process.stderr.columns ?? 100) - 1;
    const line = `[${build.state}${build.stage ? ` ${build.stage}` : ''}${build.progress != null ? ` ${build.progress}%` : ''}] ${last}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, width)}`);
  };
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
  return api.json<BuildView>(`/v1/builds/${id}`);
}
