import { readFile } from 'node:fs/promises';
import type { Request, Response } from 'express';
import type { Core } from '../../lib/core.js';

/**
 * Server-Sent Events: every log line so far, then live lines, then an `end`
 * event with the final state. Events carry ids, so `Last-Event-ID` resumes.
 */
export async function streamLog(core: Core, id: string, req: Request, res: Response): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  const abort = new AbortController();
  req.on('close', () => abort.abort());
  const send = (event: string, data: string, eid?: string) => {
    res.write(`${eid ? `id: ${eid}\n` : ''}event: ${event}\n${data.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`);
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  try {
    const live = await core.logs.snapshot(id);
    const status = await core.service.status(id);
    const finished = status?.state === 'succeeded' || status?.state === 'failed';
    if (live.length === 0 && finished) {
      // The live stream expired: replay the stored log.
      const path = await core.store.path(id, 'build.log');
      const text = path ? await readFile(path, 'utf8') : '';
      for (const line of text.split('\n').filter(Boolean)) send('line', line);
      send('end', status.state);
      return;
    }
    const from = req.get('last-event-id') ?? '0';
    for await (const ev of core.logs.follow(id, abort.signal, from)) {
      if ('end' in ev) {
        send('end', ev.end, ev.id);
        return;
      }
      send('line', ev.line, ev.id);
    }
  } finally {
    clearInterval(heartbeat);
    res.end();
  }
}
