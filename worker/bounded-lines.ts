import type { Readable } from 'node:stream';

/**
 * Lines of a stream, each cut at `maxChars` (plus a note of how much was
 * cut): unlike readline, a line without an end never grows a buffer past
 * `maxChars`, whatever the container prints.
 */
export async function* boundedLines(input: Readable, maxChars: number): AsyncGenerator<string> {
  let line = '';
  let cut = 0;
  const done = () => (cut ? `${line} [kpython: line cut, ${cut} more characters]` : line);
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf('\n', at);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.slice(at, end);
      const room = maxChars - line.length;
      if (piece.length <= room) line += piece;
      else {
        line += piece.slice(0, Math.max(0, room));
        cut += piece.length - Math.max(0, room);
      }
      if (nl === -1) break;
      yield done().replace(/\r$/, '');
      line = '';
      cut = 0;
      at = nl + 1;
    }
  }
  if (line || cut) yield done();
}
