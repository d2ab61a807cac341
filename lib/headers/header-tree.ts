import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { KpyError } from '../errors.js';

/** One entry of an uploaded tree; file contents live in the spool file. */
export type TreeEntry =
  | { type: 'dir' }
  | { type: 'file'; offset: number; size: number; exec: boolean }
  | { type: 'symlink'; target: string };

export interface TreeLimits {
  maxExpandedBytes: number;
  maxRatio: number;
  maxFiles: number;
}

const MAX_PATH = 4096;
const MAX_NAME = 255;
/** the ratio limit applies once this much has been expanded (small archives compress well too) */
const RATIO_FLOOR = 16 * 1024 * 1024;

/**
 * An uploaded headers tree, built entry by entry from untrusted tar streams
 * without ever touching the host file system with their paths: every name is
 * normalised and checked, links and special files are refused with their own
 * codes, content goes to one spool file, and the expanded size, the
 * compression ratio and the number of entries are bounded while reading.
 */
export class HeaderTree {
  readonly entries = new Map<string, TreeEntry>();
  /** every ancestor of an entry seen so far: such a path must stay a directory */
  private readonly parents = new Set<string>();
  private spool: WriteStream | undefined;
  private spoolSize = 0;
  private expanded = 0;
  private files = 0;

  constructor(
    readonly spoolPath: string,
    private readonly limits: TreeLimits,
  ) {}

  /** Bytes of the uncompressed tar streams read so far. */
  get expandedBytes(): number {
    return this.expanded;
  }

  get contentBytes(): number {
    return this.spoolSize;
  }

  /**
   * Read one tar stream into the tree. `compressedBytes` is what the stream
   * was decompressed from (for the ratio limit); `keep` maps a normalised name
   * to the tree path, or undefined to skip the entry (its type is still checked).
   */
  async addTar(stream: Readable, compressedBytes: number, keep: (path: string) => string | undefined = (p) => p): Promise<void> {
    const extract = tar.extract({ allowUnknownFormat: false });
    let limitError: KpyError | undefined;
    const onData = (chunk: Buffer) => {
      this.expanded += chunk.length;
      limitError ??= this.overLimit(compressedBytes);
      if (limitError) {
        stream.unpipe(extract);
        stream.destroy();
        extract.destroy(limitError);
      }
    };
    stream.on('data', onData);
    stream.on('error', (err) => extract.destroy(err));
    stream.pipe(extract);
    try {
      for await (const entry of extract) {
        await this.addEntry(entry.header, entry, keep);
      }
      if (limitError) throw limitError;
    } catch (err) {
      throw toHeadersError(limitError ?? err);
    } finally {
      stream.off('data', onData);
      stream.destroy();
    }
  }

  private overLimit(compressed: number): KpyError | undefined {
    const { maxExpandedBytes, maxRatio } = this.limits;
    if (this.expanded > maxExpandedBytes) {
      return new KpyError('HEADERS_DECOMPRESSION_BOMB', `the archive expands beyond ${mib(maxExpandedBytes)}; kernel headers are a few hundred MiB at most`, {
        details: { limitBytes: maxExpandedBytes },
      });
    }
    if (this.expanded > RATIO_FLOOR && compressed > 0 && this.expanded / compressed > maxRatio) {
      return new KpyError('HEADERS_DECOMPRESSION_BOMB', `the archive expands more than ${maxRatio}-fold (${mib(compressed)} to over ${mib(this.expanded)}); that is no kernel build directory`, {
        details: { ratioLimit: maxRatio },
      });
    }
    return undefined;
  }

  private async addEntry(h: tar.Headers, body: Readable, keep: (path: string) => string | undefined): Promise<void> {
    const type = h.type ?? 'file';
    const rawName = h.name;
    if (type === 'character-device' || type === 'block-device') {
      throw new KpyError('HEADERS_DEVICE_FILE', `"${rawName}" is a device file; kernel headers hold none: upload a build directory or the linux-headers packages`, {
        details: { path: rawName },
      });
    }
    if (type === 'fifo') {
      throw new KpyError('HEADERS_FIFO', `"${rawName}" is a FIFO; kernel headers hold none: upload a build directory or the linux-headers packages`, {
        details: { path: rawName },
      });
    }
    if (!['file', 'contiguous-file', 'directory', 'symlink', 'link'].includes(type)) {
      throw new KpyError('HEADERS_ENTRY_UNSUPPORTED', `"${rawName}" is a ${type} entry; upload plain files, directories and links (e.g. \`tar -czhf\`)`, {
        details: { path: rawName, type },
      });
    }
    const norm = normalizeName(rawName, 'HEADERS_PATH_UNSAFE');
    const path = norm === '' ? undefined : keep(norm);
    if (path === undefined) {
      body.resume();
      await finished(body);
      return;
    }
    if (++this.files > this.limits.maxFiles) {
      throw new KpyError('HEADERS_TOO_MANY_FILES', `more than ${this.limits.maxFiles} entries; upload the kernel build directory only`);
    }
    this.checkParents(path);
    if (type !== 'directory' && this.parents.has(path)) {
      throw new KpyError('HEADERS_PATH_UNSAFE', `"${path}" is a directory earlier in the upload and a ${type} now`, { details: { path } });
    }
    const existing = this.entries.get(path);
    if (existing) {
      if (existing.type === 'dir' && type === 'directory') {
        body.resume();
        await finished(body);
        return;
      }
      throw new KpyError('HEADERS_ARCHIVE_INVALID', `"${path}" appears twice in the upload`, { details: { path } });
    }
    switch (type) {
      case 'directory':
        this.entries.set(path, { type: 'dir' });
        body.resume();
        await finished(body);
        return;
      case 'symlink': {
        const target = h.linkname ?? '';
        if (!target || target.length > MAX_PATH || target.includes('\0')) {
          throw new KpyError('HEADERS_SYMLINK_UNSAFE', `symbolic link "${path}" has an empty or invalid target`, { details: { path } });
        }
        if (target.startsWith('/')) {
          throw new KpyError('HEADERS_SYMLINK_UNSAFE', `symbolic link "${path}" → "${target}" is absolute; upload with \`tar -h\` (dereference) or use \`kpython upload-headers\``, {
            details: { path, target },
          });
        }
        this.entries.set(path, { type: 'symlink', target });
        body.resume();
        await finished(body);
        return;
      }
      case 'link': {
        const to = normalizeName(h.linkname ?? '', 'HEADERS_HARDLINK_UNSAFE');
        const mapped = to === '' ? undefined : keep(to);
        const target = mapped === undefined ? undefined : this.entries.get(mapped);
        if (!target || target.type !== 'file') {
          throw new KpyError('HEADERS_HARDLINK_UNSAFE', `hard link "${path}" → "${h.linkname ?? ''}" does not name a file earlier in the upload`, {
            details: { path, target: h.linkname ?? '' },
          });
        }
        this.entries.set(path, { ...target, exec: target.exec || ((h.mode ?? 0) & 0o111) !== 0 });
        body.resume();
        await finished(body);
        return;
      }
      default: {
        const offset = this.spoolSize;
        const size = await this.spoolBody(body);
        this.entries.set(path, { type: 'file', offset, size, exec: ((h.mode ?? 0) & 0o111) !== 0 });
      }
    }
  }

  /** No entry may sit below a symbolic link (it would be written through it) or below a file. */
  private checkParents(path: string): void {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      this.parents.add(parent);
      const e = this.entries.get(parent);
      if (e?.type === 'symlink') {
        throw new KpyError('HEADERS_PATH_UNSAFE', `"${path}" lies below the symbolic link "${parent}"`, { details: { path, link: parent } });
      }
      if (e?.type === 'file') throw new KpyError('HEADERS_ARCHIVE_INVALID', `"${path}" lies below the file "${parent}"`, { details: { path } });
    }
  }

  private async spoolBody(body: Readable): Promise<number> {
    this.spool ??= createWriteStream(this.spoolPath, { flags: 'w' });
    const spool = this.spool;
    let size = 0;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (!spool.write(buf)) await new Promise<void>((resolve) => spool.once('drain', () => resolve()));
    }
    this.spoolSize += size;
    return size;
  }

  /** Flush the spool and add the directories archives leave implicit; call before reading contents back. */
  async seal(): Promise<void> {
    for (const p of [...this.entries.keys()]) {
      const parts = p.split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (!this.entries.has(d)) this.entries.set(d, { type: 'dir' });
      }
    }
    const s = this.spool;
    if (!s) return;
    await new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
    this.spool = undefined;
  }

  async read(entry: Extract<TreeEntry, { type: 'file' }>, max = Infinity): Promise<Buffer> {
    const fh = await open(this.spoolPath, 'r');
    try {
      const n = Math.min(entry.size, max);
      const buf = Buffer.alloc(n);
      if (n > 0) await fh.read(buf, 0, n, entry.offset);
      return buf;
    } finally {
      await fh.close();
    }
  }

  /**
   * Resolve a tree path through the tree's own symbolic links (as the kernel
   * would): the final path, or undefined when resolution leaves the tree root
   * or loops. Missing components resolve lexically.
   */
  resolve(path: string, depth = 0): string | undefined {
    if (depth > 40) return undefined;
    const out: string[] = [];
    const parts = path.split('/').filter((p) => p && p !== '.');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (part === '..') {
        if (out.length === 0) return undefined;
        out.pop();
        continue;
      }
      out.push(part);
      const e = this.entries.get(out.join('/'));
      if (e?.type === 'symlink') {
        out.pop();
        const via = this.resolve([...out, e.target].join('/'), depth + 1);
        if (via === undefined) return undefined;
        out.length = 0;
        if (via) out.push(...via.split('/'));
      }
    }
    return out.join('/');
  }

  /** The entry at a path after following symbolic links. */
  lookup(path: string): TreeEntry | undefined {
    const real = this.resolve(path);
    return real === undefined ? undefined : real === '' ? { type: 'dir' } : this.entries.get(real);
  }

  /** Every symbolic link must resolve inside the tree (and, when given, under one of `areas`). */
  checkSymlinks(areas?: readonly string[]): void {
    for (const [path, e] of this.entries) {
      if (e.type !== 'symlink') continue;
      const dir = path.split('/').slice(0, -1).join('/');
      const real = this.resolve(dir ? `${dir}/${e.target}` : e.target);
      const inside = real !== undefined && (!areas || areas.some((a) => real === a || real.startsWith(`${a}/`)));
      if (!inside) {
        throw new KpyError('HEADERS_SYMLINK_UNSAFE', `symbolic link "${path}" → "${e.target}" points outside the uploaded tree; upload with \`tar -h\` (dereference) or use \`kpython upload-headers\``, {
          details: { path, target: e.target },
        });
      }
    }
  }
}

/** `./a//b/` → `a/b`; absolute paths, `..`, NUL and over-long names are refused. */
export function normalizeName(name: string, code: 'HEADERS_PATH_UNSAFE' | 'HEADERS_HARDLINK_UNSAFE'): string {
  const unsafe = (why: string) => new KpyError(code, `"${name.slice(0, 300)}": ${why}; upload the build directory with paths relative to it`, { details: { path: name.slice(0, 300) } });
  if (name.includes('\0')) throw unsafe('contains a NUL byte');
  if (name.length > MAX_PATH) throw unsafe('path too long');
  if (name.startsWith('/')) throw unsafe('absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw unsafe('path traversal ("..")');
  if (parts.some((p) => p.length > MAX_NAME)) throw unsafe('name too long');
  return parts.join('/');
}

function finished(s: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.readableEnded) return resolve();
    s.once('end', resolve);
    s.once('error', reject);
  });
}

function toHeadersError(err: unknown): KpyError {
  if (err instanceof KpyError) return err;
  const msg = (err as Error)?.message ?? String(err);
  return new KpyError('HEADERS_ARCHIVE_INVALID', `the archive cannot be read: ${msg}`, { cause: err });
}

function mib(n: number): string {
  return `${Math.round(n / 1048576)} MiB`;
}
