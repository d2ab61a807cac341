import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The object cache of trusted builds (issue 14): compiled objects (and the
 * generated MicroPython bundle, <image>/bundles/<key>.tar) that
 * tools/objcache-cc.sh reuses inside the build container, keyed there by
 * toolchain, flags, source and a manifest of every header the compiler read;
 * and whole builds' outputs by build key (<image>/results/, worker/result-cache.ts). On the host it is one
 * directory per builder image under <cacheDir>/objects/, mounted read-write
 * into archive-header builds only: a build from uploaded headers runs code
 * the client wrote and never sees it (container-layout.ts).
 */
export const OBJECT_CACHE_MOUNT = '/kpy-cache/objects';

/** The host directory of one builder image's objects, created if absent. */
export async function objectCacheDir(root: string, imageId: string): Promise<string> {
  const dir = join(root, imageId.replace(/^sha256:/, '').replace(/[^0-9a-zA-Z]/g, '_'));
  await mkdir(dir, { recursive: true });
  return dir;
}

interface Entry {
  /** the entry's files: its data (.o, .tar), dependency file and manifest (.d, .m), digest (.sha256) */
  files: string[];
  bytes: number;
  used: number;
}

/** The files of one entry share a name up to the extension; the digest file is written last. */
const ENTRY_FILE = /^(.+)\.(o|d|m|tar|sha256)$/;
const STAGED = /\.tmp\.\d+\.(o|d|m|sha256)$|\.(tar|sha256)\.\d+$/;

async function entries(root: string): Promise<{ all: Entry[]; strays: string[] }> {
  const all: Entry[] = [];
  const strays: string[] = [];
  const names = async (d: string) => readdir(d).catch(() => [] as string[]);
  for (const image of await names(root)) {
    for (const fan of await names(join(root, image))) {
      const dir = join(root, image, fan);
      const groups = new Map<string, string[]>();
      for (const f of await names(dir)) {
        const m = STAGED.test(f) ? undefined : ENTRY_FILE.exec(f);
        const base = m ? (m[1] as string) : `\0stray:${f}`;
        groups.set(base, [...(groups.get(base) ?? []), f]);
      }
      for (const [base, files] of groups) {
        const stats = await Promise.all(files.map(async (f) => ({ f, s: await stat(join(dir, f)).catch(() => undefined) })));
        const digest = stats.find((x) => x.f === `${base}.sha256`)?.s;
        const hasData = files.includes(`${base}.o`) || files.includes(`${base}.tar`);
        if (digest && hasData) {
          all.push({ files: files.map((f) => join(dir, f)), bytes: stats.reduce((n, x) => n + (x.s?.size ?? 0), 0), used: digest.mtimeMs });
        } else {
          // A staged file, or an entry whose digest never landed: a build died between the steps.
          for (const x of stats) if (x.s && Date.now() - x.s.mtimeMs > 10 * 60_000) strays.push(join(dir, x.f));
        }
      }
    }
  }
  return { all, strays };
}

/**
 * Keep the cache under `maxBytes`: the entries used longest ago go first
 * (a hit touches the digest file). Returns what it removed.
 */
export async function pruneObjectCache(root: string, maxBytes: number): Promise<{ entries: number; bytes: number; removed: number }> {
  const { all, strays } = await entries(root);
  for (const s of strays) await rm(s, { force: true });
  all.sort((a, b) => b.used - a.used);
  let bytes = 0;
  let removed = 0;
  for (const e of all) {
    if (bytes + e.bytes <= maxBytes) {
      bytes += e.bytes;
      continue;
    }
    // The digest first: a reader never pairs it with a half-removed entry.
    const order = [...e.files].sort((x, y) => Number(y.endsWith('.sha256')) - Number(x.endsWith('.sha256')));
    for (const f of order) await rm(f, { force: true });
    removed += 1;
  }
  return { entries: all.length - removed, bytes, removed };
}

const pruning = new Map<string, { again: boolean }>();

/**
 * pruneObjectCache off a build's path: walking the cache costs more the
 * more it holds (about 0.2 s at 750 files), and no build needs to wait for
 * it. One walk per root at a time; asked again while one runs, it runs once
 * more after it (that build's entries may lie where the walk has passed).
 * A process that stops mid-walk leaves whole entries: each goes digest
 * first. `report` gets each walk's result or error.
 */
export function pruneObjectCacheInBackground(
  root: string,
  maxBytes: number,
  report: (result: { entries: number; bytes: number; removed: number } | undefined, err?: unknown) => void,
): void {
  const running = pruning.get(root);
  if (running) {
    running.again = true;
    return;
  }
  const state = { again: false };
  pruning.set(root, state);
  const walk = async (): Promise<void> => {
    do {
      state.again = false;
      await pruneObjectCache(root, maxBytes).then((r) => report(r), (err: unknown) => report(undefined, err));
    } while (state.again);
    pruning.delete(root);
  };
  void walk();
}

/** sha256 over every file's path and content: tests prove a build left the cache as it was. */
export async function objectCacheDigest(root: string): Promise<{ digest: string; files: number }> {
  const h = createHash('sha256');
  let files = 0;
  const walk = async (d: string, rel: string): Promise<void> => {
    const names = (await readdir(d, { withFileTypes: true }).catch(() => [])).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const n of names) {
      const p = join(d, n.name);
      if (n.isDirectory()) await walk(p, `${rel}${n.name}/`);
      else {
        files += 1;
        h.update(`${rel}${n.name}\0`).update(await readFile(p)).update('\0');
      }
    }
  };
  await walk(root, '');
  return { digest: h.digest('hex'), files };
}
