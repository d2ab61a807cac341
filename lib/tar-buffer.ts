import tar from 'tar-stream';

/** One entry of an in-memory tar: its header and, for a file, its bytes. */
export interface TarBufferEntry {
  header: tar.Headers;
  body?: Buffer | string;
}

/** A tar archive in memory of the given entries, in order (no compression). */
export async function tarBuffer(entries: TarBufferEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) => pack.entry(header, body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}
