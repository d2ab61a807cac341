import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { readSourceFile, type SourceSnapshot } from '../lib/source-tree.js';

export interface InputTarContent {
  sources: SourceSnapshot;
  /** name inside in/debs → path of the verified .deb */
  debs: { name: string; path: string }[];
  /** a stored, validated headers tree (uploads), copied in as in/headers.tar */
  headersTar?: string;
  builderScript: Buffer;
  /** fixed mtime of every entry (reproducible input) */
  mtime: Date;
}

/**
 * The tar stream copied into the build volume: in/debs/*.deb or
 * in/headers.tar, kpy/build.sh,
 * src/<sources>, out/. Sources are re-checked against the snapshot while
 * packing. Packing runs concurrently with the consumer; errors destroy the
 * stream.
 */
export function packInputs(content: InputTarContent): Readable {
  const pack = tar.pack();
  const base = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: content.mtime };
  const add = (header: tar.Headers, body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      pack.entry({ ...base, ...header }, body ?? '', (err) => (err ? reject(err) : resolve()));
    });
  (async () => {
    for (const dir of ['in', 'in/debs', 'kpy', 'src', 'out']) await add({ name: `${dir}/`, type: 'directory', mode: 0o755 });
    await add({ name: 'kpy/build.sh', mode: 0o755 }, content.builderScript);
    const addFile = async (name: string, path: string) => {
      const { size } = await stat(path);
      const sink = pack.entry({ ...base, name, mode: 0o644, size });
      await pipeline(createReadStream(path), sink);
    };
    for (const d of content.debs) await addFile(`in/debs/${d.name}`, d.path);
    if (content.headersTar) await addFile('in/headers.tar', content.headersTar);
    const dirs = new Set<string>();
    for (const f of content.sources.files) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (!dirs.has(dir)) {
          dirs.add(dir);
          await add({ name: `src/${dir}/`, type: 'directory', mode: 0o755 });
        }
      }
      if (f.type === 'symlink') {
        await add({ name: `src/${f.path}`, type: 'symlink', linkname: f.target ?? '', mode: 0o777 });
      } else {
        await add({ name: `src/${f.path}`, mode: f.executable ? 0o755 : 0o644 }, await readSourceFile(content.sources, f));
      }
    }
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err as Error));
  return pack;
}
