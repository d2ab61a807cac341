import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { BUILD_OPTIONS } from '../build-plan.js';
import { KpyError } from '../errors.js';
import { kernelConfigFacts } from '../kernel-compiler.js';
import { KERNEL_RELEASE_RE } from '../kernel-version.js';
import { looksLikeDeb, openDebData } from './deb-archive.js';
import { HeaderTree, type TreeEntry, type TreeLimits } from './header-tree.js';
import type { UploadedHeaders } from './headers-meta.js';
import type { HeadersStore } from './headers-store.js';

/** A received upload: one body (tar / tar.gz / .deb) or several .deb files, already on disk in the scratch directory. */
export interface ReceivedUpload {
  files: { path: string; bytes: number }[];
  sha256: string;
  bytes: number;
}

export interface IngestResult {
  headers: UploadedHeaders;
  created: boolean;
  validationMs: number;
}

/** Where a rooted tree may put files: the places Debian's header packages use. */
const AREAS = /^usr\/src(\/|$)|^usr\/lib\/linux-kbuild-[^/]+(\/|$)/;
const AREA_PARENTS = new Set(['usr', 'usr/lib']);
const SAFE_DIR = /^usr\/(src|lib)\/[A-Za-z0-9._+~-]+$/;

/**
 * Turn a received upload into a stored headers tree: read it as untrusted
 * input (HeaderTree), work out its layout, release, architecture and
 * compiler, check that a build could use it, write the normalised tar (its
 * sha256 is the id) and commit it atomically. Any refusal leaves nothing.
 */
export async function ingestHeaders(
  upload: ReceivedUpload,
  opts: { store: HeadersStore; scratch: string; limits: TreeLimits },
): Promise<IngestResult> {
  const t0 = performance.now();
  const tree = new HeaderTree(join(opts.scratch, 'spool'), opts.limits);
  const format = await readInto(tree, upload);
  await tree.seal();

  const layout = format === 'deb' ? 'debs' : isRooted(tree) ? 'rooted' : 'build-dir';
  let kdirInTree: string;
  if (layout === 'build-dir') {
    kdirInTree = '';
    tree.checkSymlinks();
  } else {
    for (const path of tree.entries.keys()) {
      if (!AREAS.test(path) && !AREA_PARENTS.has(path)) {
        throw new KpyError('HEADERS_LAYOUT_INVALID', `"${path}" is outside usr/src and usr/lib/linux-kbuild-*; a tree rooted at / may hold only those`, {
          details: { path },
        });
      }
    }
    for (const d of [...kbuildDirs(tree), ...srcDirs(tree)]) {
      // These names become mount points and paths in the build container.
      if (!SAFE_DIR.test(d)) {
        throw new KpyError('HEADERS_LAYOUT_INVALID', `"${d}" is not a plain directory name (letters, digits, . _ + ~ -)`, { details: { path: d } });
      }
    }
    tree.checkSymlinks(['usr/src', ...kbuildDirs(tree)]);
    kdirInTree = findKernelDir(tree);
  }
  const at = (rel: string) => (kdirInTree ? `${kdirInTree}/${rel}` : rel);
  const fileAt = async (rel: string, max = 64 * 1024 * 1024): Promise<Buffer | undefined> => {
    const e = tree.lookup(at(rel));
    return e?.type === 'file' ? tree.read(e, max) : undefined;
  };

  const config = await fileAt('.config');
  if (!config) {
    throw new KpyError('HEADERS_NO_CONFIG', 'no .config in the kernel build directory; upload the directory the kernel was built in (/lib/modules/$(uname -r)/build), which holds it');
  }
  if (tree.lookup(at('Module.symvers'))?.type !== 'file') {
    throw new KpyError('HEADERS_NO_SYMVERS', 'no Module.symvers in the kernel build directory; modules cannot link without it: upload the build directory of a kernel built with modules (or its linux-headers package)');
  }
  const release = await detectRelease(fileAt);
  if (tree.lookup(at('Makefile'))?.type !== 'file') {
    throw new KpyError('HEADERS_INCOMPLETE', 'no Makefile in the kernel build directory; upload the whole build directory');
  }
  await checkIncludes(tree, kdirInTree, layout, (await fileAt('Makefile', 1 << 20)) ?? Buffer.alloc(0));
  if (tree.lookup(at('scripts'))?.type !== 'dir') {
    throw new KpyError('HEADERS_INCOMPLETE', 'the build directory has no scripts/ (Kbuild); upload it with `tar -h` so linked directories are included, or use `kpython upload-headers`');
  }
  const facts = kernelConfigFacts(config.toString('utf8'));

  // The normalised tree: build directories move to their canonical place.
  const prefix = layout === 'build-dir' ? `usr/src/linux-headers-${release}` : '';
  const kdir = `/${prefix || kdirInTree}`;
  const roots = layout === 'build-dir' ? ['/usr/src'] : ['/usr/src', ...kbuildDirs(tree).map((d) => `/${d}`)];
  const tarFile = join(opts.scratch, 'headers.tar');
  const { sha256: id, bytes: tarBytes, files } = await writeNormalisedTar(tree, prefix, tarFile);
  const validationMs = performance.now() - t0;
  const meta: UploadedHeaders = {
    id,
    release,
    arch: facts.arch ?? 'unknown',
    kdir,
    roots,
    compiler: facts.compiler,
    layout,
    files,
    bytes: tree.contentBytes,
    tarBytes,
    upload: { format, sha256: upload.sha256, bytes: upload.bytes },
    createdAt: new Date().toISOString(),
  };
  const created = await opts.store.commit(tarFile, meta);
  return { headers: created ? meta : ((await opts.store.get(id)) ?? meta), created, validationMs };
}

async function readInto(tree: HeaderTree, upload: ReceivedUpload): Promise<string> {
  if (upload.files.length === 0) throw new KpyError('HEADERS_ARCHIVE_INVALID', 'the upload is empty');
  const kinds = await Promise.all(upload.files.map((f) => sniff(f.path)));
  if (kinds.length > 1 && kinds.some((k) => k !== 'deb')) {
    throw new KpyError('HEADERS_ARCHIVE_INVALID', 'several files can only be linux-headers .deb packages; send one tar or tar.gz otherwise');
  }
  const kind = kinds[0];
  const file = upload.files[0] as { path: string; bytes: number };
  if (kind === 'tar') {
    await tree.addTar(createReadStream(file.path), file.bytes);
    return 'tar';
  }
  if (kind === 'tar.gz') {
    await tree.addTar(createReadStream(file.path).pipe(createGunzip()), file.bytes);
    return 'tar.gz';
  }
  if (kind === 'deb') {
    // Only what the header packages put under usr/src and usr/lib/linux-kbuild-*
    // (not lib/modules/*/build links or documentation); every entry is still checked.
    for (const f of upload.files) {
      await tree.addTar(await openDebData(f.path), f.bytes, (p) => (AREAS.test(p) || AREA_PARENTS.has(p) ? p : undefined));
    }
    return 'deb';
  }
  throw new KpyError('HEADERS_ARCHIVE_INVALID', 'the upload is not a tar, tar.gz or .deb file; send `tar -C /lib/modules/$(uname -r)/build -czhf - .`');
}

async function sniff(path: string): Promise<'tar' | 'tar.gz' | 'deb' | 'unknown'> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
    if (looksLikeDeb(head.subarray(0, bytesRead))) return 'deb';
    if (bytesRead === 512 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
    return 'unknown';
  } finally {
    await fh.close();
  }
}

function isRooted(tree: HeaderTree): boolean {
  return !tree.entries.has('Makefile') && !tree.entries.has('.config') && tree.entries.get('usr/src')?.type === 'dir';
}

function kbuildDirs(tree: HeaderTree): string[] {
  const out = new Set<string>();
  for (const p of tree.entries.keys()) {
    const m = /^(usr\/lib\/linux-kbuild-[^/]+)/.exec(p);
    if (m?.[1]) out.add(m[1]);
  }
  return [...out].sort();
}

function srcDirs(tree: HeaderTree): string[] {
  const out = new Set<string>();
  for (const p of tree.entries.keys()) {
    const m = /^(usr\/src\/[^/]+)/.exec(p);
    if (m?.[1]) out.add(m[1]);
  }
  return [...out];
}

/** The one `usr/src/<dir>` holding a .config. */
function findKernelDir(tree: HeaderTree): string {
  const dirs = [...tree.entries.keys()].filter((p) => /^usr\/src\/[^/]+\/\.config$/.test(p)).map((p) => p.slice(0, -'/.config'.length));
  if (dirs.length === 0) {
    throw new KpyError('HEADERS_NO_CONFIG', 'no usr/src/<dir>/.config in the upload; include the flavour headers (e.g. linux-headers-<release>), which hold the kernel .config');
  }
  if (dirs.length > 1) {
    throw new KpyError('HEADERS_LAYOUT_INVALID', `the upload holds ${dirs.length} kernels (${dirs.join(', ')}); upload one at a time`, { details: { kernels: dirs } });
  }
  return dirs[0] as string;
}

/**
 * The release a module built here gets in its vermagic: UTS_RELEASE of
 * include/generated/utsrelease.h, else include/config/kernel.release (Debian's
 * kernel.release holds the upstream version, 6.1.192, while UTS_RELEASE is
 * 6.1.0-56-amd64, what `uname -r` prints).
 */
async function detectRelease(fileAt: (rel: string, max?: number) => Promise<Buffer | undefined>): Promise<string> {
  const fromFile = (await fileAt('include/config/kernel.release', 4096))?.toString('utf8').trim();
  const uts = (await fileAt('include/generated/utsrelease.h', 4096))?.toString('utf8');
  const fromUts = uts ? /#define\s+UTS_RELEASE\s+"([^"]*)"/.exec(uts)?.[1] : undefined;
  const release = fromUts || fromFile;
  if (!release) {
    throw new KpyError('HEADERS_NO_RELEASE', 'neither include/generated/utsrelease.h nor include/config/kernel.release names the kernel release; upload a build directory of a built (or `make modules_prepare`d) kernel');
  }
  if (!KERNEL_RELEASE_RE.test(release)) {
    throw new KpyError('HEADERS_NO_RELEASE', `"${release.slice(0, 200)}" is not a kernel release name`);
  }
  return release;
}

/** The top Makefile may include other files by absolute path (Debian's per-flavour Makefile does): they must be in the upload. */
async function checkIncludes(tree: HeaderTree, kdir: string, layout: string, makefile: Buffer): Promise<void> {
  for (const line of makefile.toString('utf8').split('\n')) {
    const m = /^\s*-?include\s+(\/\S+)/.exec(line);
    if (!m?.[1]) continue;
    const abs = m[1];
    const inTree = abs.slice(1);
    const self = `/${kdir || ''}`;
    const present = layout === 'build-dir' ? false : tree.lookup(inTree)?.type === 'file';
    if (!present) {
      const dir = abs.split('/').slice(0, -1).join('/');
      throw new KpyError(
        'HEADERS_INCOMPLETE',
        `the kernel Makefile includes ${abs}, which is not in the upload (Debian splits headers into ${self === '/' ? 'the flavour directory' : self} and ${dir}); ` +
          'upload with `kpython upload-headers` (it adds such directories) or upload the linux-headers .deb files',
        { details: { missing: abs } },
      );
    }
  }
}

/**
 * The canonical tar of a tree: sorted paths, every parent directory present,
 * owner root, fixed mtime and modes (0755/0644, links 0777). The same tree
 * gives the same bytes, so its sha256 is the content address.
 */
async function writeNormalisedTar(tree: HeaderTree, prefix: string, file: string): Promise<{ sha256: string; bytes: number; files: number }> {
  // The tree holds every parent directory already; only the prefix's own are added.
  const all = new Map<string, TreeEntry>();
  if (prefix) {
    const parts = prefix.split('/');
    for (let i = 1; i <= parts.length; i++) all.set(parts.slice(0, i).join('/'), { type: 'dir' });
  }
  for (const [p, e] of tree.entries) all.set(prefix ? `${prefix}/${p}` : p, e);
  const paths = [...all.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mtime = new Date(BUILD_OPTIONS.sourceDateEpoch * 1000);
  const base = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime };
  const pack = tar.pack();
  const hash = createHash('sha256');
  let bytes = 0;
  let files = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const spool = tree.spoolPath ? await open(tree.spoolPath, 'r').catch(() => undefined) : undefined;
  const read = async (e: Extract<TreeEntry, { type: 'file' }>) => {
    const buf = Buffer.alloc(e.size);
    if (e.size > 0 && spool) await spool.read(buf, 0, e.size, e.offset);
    return buf;
  };
  const writing = pipeline(pack, meter, createWriteStream(file));
  const entry = (h: tar.Headers, body?: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry({ ...base, ...h }, body ?? '', (err) => (err ? reject(err) : resolve())));
  try {
    for (const p of paths) {
      const e = all.get(p) as TreeEntry;
      if (e.type === 'dir') await entry({ name: `${p}/`, type: 'directory', mode: 0o755 });
      else if (e.type === 'symlink') await entry({ name: p, type: 'symlink', linkname: e.target, mode: 0o777 });
      else {
        files++;
        await entry({ name: p, type: 'file', mode: e.exec ? 0o755 : 0o644, size: e.size }, await read(e));
      }
    }
    pack.finalize();
    await writing;
  } catch (err) {
    pack.destroy(err as Error);
    await writing.catch(() => undefined);
    throw err;
  } finally {
    await spool?.close();
  }
  return { sha256: hash.digest('hex'), bytes, files };
}

/** Remove a scratch directory (also after success: the tar has moved into the store). */
export async function dropScratch(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
