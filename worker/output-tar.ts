import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { KpyError } from '../lib/errors.js';

/**
 * Read regular files out of a tar stream (what `getArchive` returns), keyed
 * by their path without the top directory. Anything but regular files and
 * directories, and anything over `maxBytes` in total, is refused: the
 * container's output is untrusted.
 */
export async function readOutputs(stream: Readable, maxBytes: number): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const files = new Map<string, Buffer>();
  let total = 0;
  stream.on('error', (err) => extract.destroy(err));
  stream.pipe(extract);
  for await (const entry of extract) {
    const { name, type, size } = entry.header;
    const rel = name.replace(/^[^/]*\/?/, '');
    if (type === 'directory') {
      entry.resume();
      continue;
    }
    if (type !== 'file' || rel.includes('..') || !rel) {
      entry.resume();
      throw new KpyError('ARTIFACT_INVALID', `unexpected ${type} entry "${name}" in the build output`);
    }
    total += size ?? 0;
    if (total > maxBytes) throw new KpyError('ARTIFACT_INVALID', `build output larger than ${maxBytes} bytes`);
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    files.set(rel, Buffer.concat(chunks));
  }
  return files;
}
