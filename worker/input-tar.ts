import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
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

/** tar-stream ends an archive with two zero blocks and nothing else. */
const END_OF_TAR = 1024;

type Pack = ReturnType<typeof tar.pack>;

/** Every entry's owner and time: root, the build's fixed mtime. */
function entryBase(mtime: Date) {
  return { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime };
}

function entryAdder(pack: Pack, mtime: Date) {
  const base = entryBase(mtime);
  return (header: tar.Headers, body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      pack.entry({ ...base, ...header }, body ?? '', (err) => (err ? reject(err) : resolve()));
    });
}

/**
 * The sources' part of every input tar (src/<sources>), packed once per
 * snapshot and mtime: reading and hashing the ~6,000 files again for each
 * build took 3.2-3.5 s of its container phase (issue 14). Each file is
 * checked against the snapshot while it is read, so the bytes kept are the
 * snapshot's whatever happens to the checkout later; a failure is not kept
 * (the next build tries again and gets the same SOURCES_CHANGED if the
 * files really changed).
 */
const packedSources = new WeakMap<SourceSnapshot, Map<number, Promise<Buffer>>>();

export function sourcesTar(sources: SourceSnapshot, mtime: Date): Promise<Buffer> {
  let byTime = packedSources.get(sources);
  if (!byTime) packedSources.set(sources, (byTime = new Map()));
  const key = mtime.getTime();
  let packed = byTime.get(key);
  if (!packed) {
    // One build option sets the mtime; two kept at most.
    if (byTime.size >= 2) byTime.clear();
    packed = packSources(sources, mtime);
    byTime.set(key, packed);
    const kept = byTime;
    packed.catch(() => kept.delete(key));
  }
  return packed;
}

/**
 * Parts of the pinned MicroPython tree no build reads: its documentation,
 * tests, examples, logo and every port but ports/embed (18 of the 37 MB
 * the sources took in every build's input tar).
 * They stay in the snapshot (the build key names the whole verified tree);
 * they are not copied into each build's volume. The module's bytes are the
 * same as with the whole tree (6.1.0-57 amd64, checked when this was made).
 */
const NOT_COPIED = /^micropython\/[^/]+\/(docs|tests|examples|logo|ports\/(?!embed\/)[^/]+)\//;

async function packSources(sources: SourceSnapshot, mtime: Date): Promise<Buffer> {
  const pack = tar.pack();
  const add = entryAdder(pack, mtime);
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  // Awaited only when packing got to the end; a failure is the error thrown below.
  ended.catch(() => undefined);
  try {
    await add({ name: 'src/', type: 'directory', mode: 0o755 });
    const dirs = new Set<string>();
    for (const f of sources.files) {
      if (NOT_COPIED.test(f.path)) continue;
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
        await add({ name: `src/${f.path}`, mode: f.executable ? 0o755 : 0o644 }, await readSourceFile(sources, f));
      }
    }
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    throw err;
  }
  await ended;
  return Buffer.concat(chunks);
}

/**
 * The tar stream copied into the build volume: in/debs/*.deb or
 * in/headers.tar, kpy/build.sh, src/<sources> (sourcesTar), out/. Packing
 * runs concurrently with the consumer; errors destroy the stream. The
 * archive is the inputs' entries, the sources' entries and one end: tar
 * entries follow each other, so the two archives join once the first one's
 * end is dropped.
 */
export function packInputs(content: InputTarContent): Readable {
  const pack = tar.pack();
  const add = entryAdder(pack, content.mtime);
  (async () => {
    for (const dir of ['in', 'in/debs', 'kpy', 'out']) await add({ name: `${dir}/`, type: 'directory', mode: 0o755 });
    await add({ name: 'kpy/build.sh', mode: 0o755 }, content.builderScript);
    const addFile = async (name: string, path: string) => {
      const { size } = await stat(path);
      const sink = pack.entry({ ...entryBase(content.mtime), name, mode: 0o644, size });
      await pipeline(createReadStream(path), sink);
    };
    for (const d of content.debs) await addFile(`in/debs/${d.name}`, d.path);
    if (content.headersTar) await addFile('in/headers.tar', content.headersTar);
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err as Error));
  return Readable.from(joinTars(pack, () => sourcesTar(content.sources, content.mtime)), { objectMode: false });
}

/** FIRST's entries without its end, then SECOND whole. */
async function* joinTars(first: Readable, second: () => Promise<Buffer>): AsyncGenerator<Buffer> {
  // Held back until the stream ends: the last END_OF_TAR bytes are its end.
  let held: Buffer = Buffer.alloc(0);
  for await (const chunk of first) {
    held = held.length ? Buffer.concat([held, chunk as Buffer]) : (chunk as Buffer);
    if (held.length > END_OF_TAR) {
      yield held.subarray(0, held.length - END_OF_TAR);
      held = held.subarray(held.length - END_OF_TAR);
    }
  }
  if (held.length !== END_OF_TAR || held.some((b) => b !== 0)) throw new Error('input tar: the inputs part did not end as a tar archive ends');
  yield await second();
}
