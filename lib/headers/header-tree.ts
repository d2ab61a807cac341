import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { KpyError } from '../errors.js';
import { LongHeaderGuard } from './long-header-guard.js';

/** One entry of an uploaded tree; file contents live in the spool file. */
export type TreeEntry =
  | { type: 'dir'; implicit?: true }
  | { type: 'file'; offset: number; size: number; exec: boolean }
  | { type: 'symlink'; target: string };

export interface TreeLimits {
  maxExpandedBytes: number;
  maxRatio: number;
  maxFiles: number;
}

/** Kernel header trees: ~17k entries, the longest path under 100 characters, at most 11 deep. */
const MAX_PATH = 1024;
const MAX_NAME = 255;
const MAX_DEPTH = 48;
/** all path names of a tree together (a real one: about 1 MiB) */
const MAX_PATH_BYTES = 32 * 1024 * 1024;
/** a pax or GNU long-name header: a few hundred bytes for a real path */
const MAX_LONG_HEADER = 64 * 1024;
/** symbolic links followed while resolving one path (Linux's MAXSYMLINKS) */
const MAX_LINK_HOPS = 40;
/** characters of path looked up while resolving links, for the whole tree */
const MAX_RESOLVE_CHARS = 64 * 1024 * 1024;
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
  /** every path of the tree, the directories archives leave implicit included */
  readonly entries = new Map<string, TreeEntry>();
  private spool: WriteStream | undefined;
  private spoolSize = 0;
  private expanded = 0;
  /** entries kept, implicit directories included: what maxFiles bounds */
  private files = 0;
  private pathBytes = 0;
  private resolveBudget = MAX_RESOLVE_CHARS;

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
    // Long-name headers are bounded before the extractor can buffer them.
    const guard = new LongHeaderGuard(MAX_LONG_HEADER);
    stream.on('data', onData);
    stream.on('error', (err) => extract.destroy(err));
    guard.on('error', (err) => extract.destroy(err));
    stream.pipe(guard).pipe(extract);
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
      guard.destroy();
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
    this.addParents(path);
    const existing = this.entries.get(path);
    if (existing?.type === 'dir' && existing.implicit && type !== 'directory') {
      throw new KpyError('HEADERS_PATH_UNSAFE', `"${path}" is a directory earlier in the upload and a ${type} now`, { details: { path } });
    }
    if (!existing) this.count(path);
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
        if (!target || target.length > MAX_PATH || target.includes('\0') || target.split('/').length > MAX_DEPTH) {
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

  /** One more entry (explicit or implicit) against the limits on entries and on path bytes. */
  private count(path: string): void {
    if (++this.files > this.limits.maxFiles) {
      throw new KpyError('HEADERS_TOO_MANY_FILES', `more than ${this.limits.maxFiles} entries (directories included); upload the kernel build directory only`, {
        details: { limit: this.limits.maxFiles },
      });
    }
    this.pathBytes += path.length;
    if (this.pathBytes > MAX_PATH_BYTES) {
      throw new KpyError('HEADERS_TOO_MANY_FILES', `the path names of the upload exceed ${mib(MAX_PATH_BYTES)} together; upload the kernel build directory only`, {
        details: { limitBytes: MAX_PATH_BYTES },
      });
    }
  }

  /**
   * Register the directories above `path` as implicit entries (each counted),
   * walking up only until one is known: its own ancestors were checked when it
   * came. No entry may sit below a symbolic link (it would be written through
   * it) or below a file.
   */
  private addParents(path: string): void {
    const missing: string[] = [];
    for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
      const parent = path.slice(0, cut);
      const e = this.entries.get(parent);
      if (e?.type === 'symlink') {
        throw new KpyError('HEADERS_PATH_UNSAFE', `"${path}" lies below the symbolic link "${parent}"`, { details: { path, link: parent } });
      }
      if (e?.type === 'file') throw new KpyError('HEADERS_ARCHIVE_INVALID', `"${path}" lies below the file "${parent}"`, { details: { path } });
      if (e) break;
      missing.push(parent);
    }
    for (const d of missing) {
      this.count(d);
      this.entries.set(d, { type: 'dir', implicit: true });
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

  /** Flush the spool; call before reading contents back. */
  async seal(): Promise<void> {
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
   * would): the final path, or undefined when resolution leaves the tree root,
   * loops or follows more than MAX_LINK_HOPS links. Missing components resolve
   * lexically. The work is bounded per tree (MAX_RESOLVE_CHARS).
   */
  resolve(path: string): string | undefined {
    const pending = path.split('/').reverse();
    /** resolved components, and the path up to each */
    const out: string[] = [];
    const keys: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.pop() as string;
      if (!part || part === '.') continue;
      if (part === '..') {
        if (out.length === 0) return undefined;
        out.pop();
        keys.pop();
        continue;
      }
      const key = keys.length ? `${keys[keys.length - 1] as string}/${part}` : part;
      this.resolveBudget -= key.length;
      if (this.resolveBudget < 0) {
        throw new KpyError('HEADERS_SYMLINK_UNSAFE', 'the symbolic links of the upload take too long to resolve; upload with `tar -h` (dereference)');
      }
      const e = this.entries.get(key);
      if (e?.type === 'symlink') {
        if (++hops > MAX_LINK_HOPS) return undefined;
        const target = e.target.split('/');
        if (pending.length + target.length > MAX_DEPTH * 4) return undefined;
        for (let i = target.length - 1; i >= 0; i--) pending.push(target[i] as string);
        continue;
      }
      out.push(part);
      keys.push(key);
    }
    return keys.length ? (keys[keys.length - 1] as string) : '';
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
  if (name.length > MAX_PATH) throw unsafe(`path longer than ${MAX_PATH} characters`);
  if (name.startsWith('/')) throw unsafe('absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length > MAX_DEPTH) throw unsafe(`path deeper than ${MAX_DEPTH} directories`);
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
