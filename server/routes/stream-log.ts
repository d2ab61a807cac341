import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Request, Response } from 'express';
import type { Core } from '../../lib/core.js';
import type { FollowerGate } from '../follower-gate.js';

const STREAM_ID_RE = /^\d{1,20}(-\d{1,20})?$/;
const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events: every log line so far, then live lines, then an `end`
 * event with the final state. Events carry ids, so `Last-Event-ID` resumes;
 * a follower resuming at or after the end gets the end and is closed. Every
 * heartbeat also re-checks the build, so a stream whose end entry never comes
 * (its worker died) is closed once the build is finished. Writes wait for
 * the client (a slow reader holds no growing buffer); followers are capped.
 */
export async function streamLog(core: Core, gate: FollowerGate, id: string, req: Request, res: Response): Promise<void> {
  const release = gate.acquire(req.ip ?? 'unknown');
  const abort = new AbortController();
  const onClose = () => abort.abort();
  req.on('close', onClose);
  res.on('close', onClose);
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    const status = await core.service.status(id);
    const finished = status?.state === 'succeeded' || status?.state === 'failed';
    const liveSize = await core.logs.size(id);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const write = async (text: string) => {
      if (abort.signal.aborted || res.writableEnded) return;
      if (!res.write(text)) await Promise.race([once(res, 'drain'), once(abort.signal, 'abort')]).catch(() => undefined);
    };
    const send = (event: string, data: string, eid?: string) =>
      write(`${eid ? `id: ${eid}\n` : ''}event: ${event}\n${data.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`);

    if (liveSize === 0 && finished) {
      // The live stream expired: replay the stored log, line by line.
      const path = await core.store.path(id, 'build.log');
      if (path) {
        const file = createReadStream(path, { encoding: 'utf8' });
        const lines = createInterface({ input: file, crlfDelay: Infinity });
        try {
          for await (const line of lines) {
            if (abort.signal.aborted) break;
            if (line) await send('line', line);
          }
        } finally {
          lines.close();
          file.destroy();
        }
      }
      await send('end', status.state);
      return;
    }
    const given = req.get('last-event-id') ?? '0';
    const from = given === '$' || STREAM_ID_RE.test(given) ? given : '0';
    // A build that finished without an end entry (its worker died) ends the
    // stream once two heartbeats in a row saw it finished.
    let finishedSeen = 0;
    let finishedLate: string | undefined;
    const late = new AbortController();
    heartbeat = setInterval(() => {
      void write(': keep-alive\n\n');
      core.service.status(id).then(
        (s) => {
          const done = s?.state === 'succeeded' || s?.state === 'failed';
          finishedSeen = done ? finishedSeen + 1 : 0;
          if (done && finishedSeen >= 2) {
            finishedLate = s.state;
            late.abort();
          }
        },
        () => undefined,
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const both = AbortSignal.any([abort.signal, late.signal]);
    for await (const ev of core.logs.follow(id, both, from)) {
      if ('end' in ev) {
        await send('end', ev.end, ev.id);
        return;
      }
      await send('line', ev.line, ev.id);
    }
    if (finishedLate && !abort.signal.aborted) await send('end', finishedLate);
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    req.off('close', onClose);
    release();
    res.end();
  }
}
