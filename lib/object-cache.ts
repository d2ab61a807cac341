import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The object cache of trusted builds (issue 14): compiled objects (and the
 * generated MicroPython bundle, <image>/bundles/<key>.tar) that
 * tools/objcache-cc.sh reuses inside the build container, keyed there by
 * toolchain, flags and the preprocessed unit. On the host it is one
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
  base: string;
  /** .o (an object) or .tar (a generated bundle) */
  data: string;
  bytes: number;
  used: number;
}

async function entries(root: string): Promise<{ all: Entry[]; strays: string[] }> {
  const all: Entry[] = [];
  const strays: string[] = [];
  const names = async (d: string) => readdir(d).catch(() => [] as string[]);
  for (const image of await names(root)) {
    for (const fan of await names(join(root, image))) {
      const dir = join(root, image, fan);
      const files = new Set(await names(dir));
      for (const f of files) {
        if (f.endsWith('.sha256')) {
          const base = join(dir, f.slice(0, -'.sha256'.length));
          const data = files.has(`${f.slice(0, -'.sha256'.length)}.tar`) ? '.tar' : '.o';
          const [o, d] = await Promise.all([stat(`${base}${data}`).catch(() => undefined), stat(`${base}.sha256`).catch(() => undefined)]);
          if (o && d) all.push({ base, data, bytes: o.size + d.size, used: d.mtimeMs });
          else strays.push(`${base}.sha256`);
        } else if (/\.tmp\.\d+\.(o|sha256)$|\.(tar|sha256)\.\d+$/.test(f) || (/\.(o|tar)$/.test(f) && !files.has(`${f.replace(/\.(o|tar)$/, '')}.sha256`))) {
          // A staged file, or an object whose digest never landed: a build died between the steps.
          const s = await stat(join(dir, f)).catch(() => undefined);
          if (s && Date.now() - s.mtimeMs > 10 * 60_000) strays.push(join(dir, f));
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
    await rm(`${e.base}.sha256`, { force: true });
    await rm(`${e.base}${e.data}`, { force: true });
    removed += 1;
  }
  return { entries: all.length - removed, bytes, removed };
}

/** sha256 over every file's path and content: tests prove a build left the cache as it was. */
export async function objectCacheDigest(root: string): Promise<{ digest: string; files: number }> {
  const { readFile } = await import('node:fs/promises');
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
