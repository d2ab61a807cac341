import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { CliError, EXIT } from './exit-codes.js';

/** Where Debian's header packages live; a tree rooted at / may hold only these. */
const AREA = /^\/usr\/src\/[^/]+$|^\/usr\/lib\/linux-kbuild-[^/]+$/;
/** Build products a module build never reads (kept under scripts/ and tools/, whose programs Kbuild runs). */
const SKIP_NAME = /^(\.git|\.tmp_versions)$|\.(o|ko|cmd|mod|mod\.c|a)$/;

export interface PackPlan {
  /** the kernel build directory (resolved) */
  kdir: string;
  layout: 'rooted' | 'build-dir';
  /** the file system root the headers are installed under (resolved; `/` for this machine) */
  sysroot: string;
  /** directories to pack (resolved); rooted: stored under their path inside the sysroot */
  roots: string[];
}

/**
 * What to upload for a kernel build directory. A directory at its canonical
 * place (/usr/src/...) goes up rooted at /, together with the directories its
 * Makefile includes and its links point into (Debian splits headers into the
 * flavour directory, -common and linux-kbuild-*), so the build container sees
 * the same paths and builds the same bytes. Any other directory goes up as a
 * build directory, links out of it dereferenced.
 */
export async function planHeadersPack(dir: string, sysrootDir = '/'): Promise<PackPlan> {
  let kdir: string;
  let sysroot: string;
  try {
    sysroot = await realpath(sysrootDir);
    kdir = await realpath(sysrootDir === '/' ? dir : join(sysroot, relative(sysroot, resolve(dir))));
  } catch {
    throw new CliError(`no kernel build directory at ${dir} (install the headers, e.g. apt-get install linux-headers-$(uname -r))`, EXIT.USAGE);
  }
  if (!(await stat(join(kdir, 'Makefile')).catch(() => undefined))) throw new CliError(`${kdir} has no Makefile: not a kernel build directory`, EXIT.USAGE);
  const inRoot = (p: string) => (sysroot === '/' ? p : `/${relative(sysroot, p)}`);
  if (!AREA.test(inRoot(kdir))) return { kdir, layout: 'build-dir', sysroot, roots: [kdir] };
  const roots = new Set<string>([kdir]);
  const makefile = await readFile(join(kdir, 'Makefile'), 'utf8');
  for (const m of makefile.matchAll(/^\s*-?include\s+(\/\S+)/gm)) {
    const area = areaOf(m[1] as string);
    if (area) roots.add(join(sysroot, area));
  }
  for (const name of await readdir(kdir)) {
    const p = join(kdir, name);
    if (!(await lstat(p)).isSymbolicLink()) continue;
    const area = areaOf(inRoot(await realpath(p).catch(() => '/nonexistent')));
    if (area) roots.add(join(sysroot, area));
  }
  // Links in /usr/src into what goes up (Debian's /usr/src/linux-kbuild-6.1), as the packages have them.
  const src = join(sysroot, 'usr', 'src');
  for (const name of await readdir(src).catch(() => [] as string[])) {
    const p = join(src, name);
    if (!(await lstat(p)).isSymbolicLink()) continue;
    const real = await realpath(p).catch(() => undefined);
    if (real && [...roots].some((r) => real === r || real.startsWith(`${r}/`))) roots.add(p);
  }
  for (const r of roots) {
    if (!(await stat(r).catch(() => undefined))?.isDirectory()) {
      throw new CliError(`${kdir} needs ${r}, which is missing (install the kernel's -common and linux-kbuild packages)`, EXIT.USAGE);
    }
  }
  return { kdir, layout: 'rooted', sysroot, roots: [...roots].sort() };
}

function areaOf(path: string): string | undefined {
  const parts = path.split('/');
  for (let i = 3; i <= parts.length; i++) {
    const candidate = parts.slice(0, i).join('/');
    if (AREA.test(candidate)) return candidate;
  }
  return undefined;
}

type Item =
  | { kind: 'dir'; name: string }
  | { kind: 'symlink'; name: string; target: string }
  | { kind: 'file'; name: string; path: string; mode: number; size: number };

/** How many small files are read ahead while packing (file systems answer faster in parallel). */
const READ_AHEAD = 32;

/**
 * The tar.gz of a plan as a stream, and the number of files packed (when
 * known). A rooted tree (package contents, relative links only) is packed by
 * the system's tar, several times faster than packing file by file here;
 * a build directory is walked here, links out of it dereferenced.
 */
export function packHeaders(plan: PackPlan): { stream: Readable; done: Promise<{ files?: number }> } {
  if (plan.layout === 'rooted') return packWithTar(plan);
  return packWalking(plan);
}

function packWithTar(plan: PackPlan): { stream: Readable; done: Promise<{ files?: number }> } {
  const args = ['-C', plan.sysroot, '--numeric-owner', '-cf', '-', '--', ...plan.roots.map((r) => relative(plan.sysroot, r))];
  const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const gzip = createGzip({ level: 6 });
  // Any complaint of tar (unreadable file, ...) aborts the upload: never send half a tree.
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 4000) stderr += b.toString();
    gzip.destroy(new CliError(`tar: ${stderr.trim()}`, EXIT.USAGE));
  });
  const done = new Promise<{ files?: number }>((res, rej) => {
    child.on('error', (err) => rej(new CliError(`cannot run tar: ${err.message}`, EXIT.USAGE)));
    child.on('close', (code) => (code === 0 ? res({}) : rej(new CliError(`tar failed (exit ${code}): ${stderr.trim()}`, EXIT.USAGE))));
  });
  done.catch((err: unknown) => gzip.destroy(err as Error));
  return { stream: child.stdout.pipe(gzip), done };
}

function packWalking(plan: PackPlan): { stream: Readable; done: Promise<{ files?: number }> } {
  const pack = tar.pack();
  const gzip = createGzip({ level: 6 });
  const mtime = new Date(0);
  const items: Item[] = [];
  const inside = (p: string) => plan.roots.some((r) => p === r || p.startsWith(`${r}/`));
  const nameOf = (abs: string, root: string) => (plan.layout === 'rooted' ? relative(plan.sysroot, abs) : relative(root, abs));
  const file = async (name: string, path: string) => {
    const st = await stat(path);
    items.push({ kind: 'file', name, path, mode: st.mode & 0o111 ? 0o755 : 0o644, size: st.size });
  };

  const walk = async (abs: string, root: string): Promise<void> => {
    const st = await lstat(abs);
    const name = nameOf(abs, root);
    const rel = relative(root, abs);
    const inTools = /^(scripts|tools)(\/|$)/.test(rel);
    if (st.isSymbolicLink()) {
      const target = await readlink(abs);
      const real = await realpath(abs).catch(() => undefined);
      // Keep relative links that stay in what is uploaded; dereference the rest.
      if (!target.startsWith('/') && real && inside(real) && inside(posix.normalize(posix.join(dirname(abs), target)))) {
        items.push({ kind: 'symlink', name, target });
        return;
      }
      if (!real) return; // dangling: nothing to upload
      const rs = await stat(real);
      if (rs.isDirectory()) {
        items.push({ kind: 'dir', name });
        for (const child of (await readdir(real)).sort()) await walkAs(join(real, child), `${name}/${child}`, inTools);
      } else if (rs.isFile()) await file(name, real);
      return;
    }
    if (st.isDirectory()) {
      if (name) items.push({ kind: 'dir', name });
      for (const child of (await readdir(abs)).sort()) {
        if (SKIP_NAME.test(child) && !(inTools || /^(scripts|tools)$/.test(rel)) && child !== 'vmlinux') continue;
        await walk(join(abs, child), root);
      }
      return;
    }
    if (st.isFile()) await file(name, abs);
  };
  /** A dereferenced directory: its content under another name, links followed. */
  const walkAs = async (abs: string, name: string, inTools: boolean): Promise<void> => {
    const st = await stat(abs).catch(() => undefined);
    if (!st) return;
    if (st.isDirectory()) {
      items.push({ kind: 'dir', name });
      for (const child of (await readdir(abs)).sort()) {
        if (SKIP_NAME.test(child) && !inTools) continue;
        await walkAs(join(abs, child), `${name}/${child}`, inTools);
      }
    } else if (st.isFile()) await file(name, abs);
  };

  const add = (h: tar.Headers, body?: Buffer) =>
    new Promise<void>((res, rej) => pack.entry({ uid: 0, gid: 0, mtime, ...h }, body ?? '', (err) => (err ? rej(err) : res())));
  const done = (async () => {
    try {
      if (plan.layout === 'rooted') {
        const parents = new Set<string>();
        for (const r of plan.roots) for (let d = dirname(r); d !== plan.sysroot && d !== '/'; d = dirname(d)) parents.add(d);
        for (const d of [...parents].sort()) items.push({ kind: 'dir', name: relative(plan.sysroot, d) });
        for (const r of plan.roots) await walk(r, r);
      } else {
        await walk(plan.kdir, plan.kdir);
      }
      // Small files are read ahead in parallel, written in order; big ones stream.
      const small = (it: Item) => it.kind === 'file' && it.size < 1 << 20;
      const reads = new Map<number, Promise<Buffer>>();
      let next = 0;
      const fill = (upTo: number) => {
        for (; next < items.length && next <= upTo; next++) {
          const it = items[next] as Item;
          if (small(it) && it.kind === 'file') {
            const p = readFile(it.path);
            p.catch(() => undefined);
            reads.set(next, p);
          }
        }
      };
      let files = 0;
      for (let i = 0; i < items.length; i++) {
        fill(i + READ_AHEAD);
        const it = items[i] as Item;
        if (it.kind === 'dir') await add({ name: `${it.name}/`, type: 'directory', mode: 0o755 });
        else if (it.kind === 'symlink') await add({ name: it.name, type: 'symlink', linkname: it.target, mode: 0o777 });
        else {
          files++;
          const data = reads.get(i);
          reads.delete(i);
          if (data) {
            const buf = await data;
            await add({ name: it.name, mode: it.mode, size: buf.length }, buf);
          } else {
            await pipeline(createReadStream(it.path), pack.entry({ uid: 0, gid: 0, mtime, name: it.name, mode: it.mode, size: it.size }));
          }
        }
      }
      pack.finalize();
      return { files };
    } catch (err) {
      pack.destroy(err as Error);
      throw err;
    }
  })();
  done.catch(() => undefined);
  return { stream: pack.pipe(gzip), done };
}

export function defaultBuildDir(release: string): string {
  return resolve('/lib/modules', release, 'build');
}
