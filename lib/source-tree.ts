import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from './canonical-json.js';
import { KpyError } from './errors.js';

/** What of the repository goes into a build (everything else never does). */
export const SOURCE_ROOTS = ['Makefile', 'kernel_mod', 'embed_cfg', 'micropython', 'tools'] as const;

/** Build products and caches inside those roots, never part of the input. */
const EXCLUDE_NAME = /^(\.git|node_modules|\.tmp_versions|modules\.order|Module\.symvers)$|\.(o|ko|a|mod|mod\.c|cmd|part)$/;
const EXCLUDE_PATH = new Set(['kernel_mod/gen', 'micropython/.cache']);

export interface SourceFile {
  path: string;
  type: 'file' | 'symlink';
  executable: boolean;
  /** sha256 of the content, or the link target for symlinks */
  sha256?: string;
  target?: string;
  size: number;
}

export interface SourceSnapshot {
  root: string;
  digest: string;
  files: SourceFile[];
}

/**
 * Walk the source roots of `root` and describe every file by path, mode and
 * sha256. The digest of that description identifies the kpython sources in
 * the build key; packing re-checks each file against it.
 */
export async function snapshotSources(root: string, roots: readonly string[] = SOURCE_ROOTS): Promise<SourceSnapshot> {
  const files: SourceFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    const abs = join(root, rel);
    const st = await lstat(abs).catch(() => undefined);
    if (!st) return;
    if (st.isSymbolicLink()) {
      files.push({ path: rel, type: 'symlink', executable: false, target: await readlink(abs), size: 0 });
    } else if (st.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) {
        const child = `${rel}/${name}`;
        if (!EXCLUDE_NAME.test(name) && !EXCLUDE_PATH.has(child)) await walk(child);
      }
    } else if (st.isFile()) {
      const sha256 = createHash('sha256').update(await readFile(abs)).digest('hex');
      files.push({ path: rel, type: 'file', executable: (st.mode & 0o111) !== 0, sha256, size: st.size });
    }
  };
  for (const r of roots) await walk(r);
  if (files.length === 0) throw new KpyError('SOURCES_CHANGED', `no kpython sources under ${root}`);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const digest = createHash('sha256').update(canonicalJson(files)).digest('hex');
  return { root, digest, files };
}

/** Read one file of a snapshot, failing if it changed since the snapshot. */
export async function readSourceFile(snap: SourceSnapshot, file: SourceFile): Promise<Buffer> {
  const data = await readFile(join(snap.root, file.path));
  const sha = createHash('sha256').update(data).digest('hex');
  if (sha !== file.sha256) {
    throw new KpyError('SOURCES_CHANGED', `${file.path} changed since the service took its source snapshot; restart it`);
  }
  return data;
}
