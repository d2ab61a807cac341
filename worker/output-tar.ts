import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { KpyError } from '../lib/errors.js';

/**
 * Read regular files out of a tar stream (what `getArchive` returns), keyed
 * by their path without the top directory. Anything but regular files and
 * directories is refused: the container's output is untrusted. The sizes in
 * the tar headers are checked against `maxBytes` (in total) before a byte
 * of a file is read, so at most `maxBytes` are ever held; the source stream
 * is closed however reading ends.
 */
export async function readOutputs(stream: Readable, maxBytes: number): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const files = new Map<string, Buffer>();
  let total = 0;
  stream.on('error', (err) => extract.destroy(err));
  stream.pipe(extract);
  try {
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
      if (total > maxBytes) {
        throw new KpyError('BUILD_OUTPUT_TOO_LARGE', `build output larger than ${maxBytes} bytes (KPY_BUILD_OUTPUT_MB)`, { details: { limitBytes: maxBytes } });
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      files.set(rel, Buffer.concat(chunks));
    }
  } finally {
    // streamx streams (tests) have no unpipe; Docker's are node streams.
    (stream as Partial<Pick<Readable, 'unpipe'>>).unpipe?.(extract);
    stream.destroy();
    extract.destroy();
  }
  return files;
}
