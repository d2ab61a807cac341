import { Transform, type TransformCallback } from 'node:stream';
import * as headers from 'tar-stream/headers.js';
import { KpyError } from '../errors.js';

const BLOCK = 512;
const LONG_TYPES = new Set(['gnu-long-path', 'gnu-long-link-path', 'pax-header', 'pax-global-header']);

/**
 * A pass-through in front of tar-stream's extractor that walks the archive's
 * blocks as the extractor does (same header decoder) and refuses a pax or GNU
 * long-name header larger than `maxBytes`: the extractor buffers such a
 * header whole before it looks at it, so an upload could make it hold
 * gigabytes. Only the current header block and a pax header (at most
 * `maxBytes`) are ever kept.
 */
export class LongHeaderGuard extends Transform {
  private header = Buffer.alloc(0);
  /** bytes of entry data (and padding) still to pass before the next header */
  private skip = 0;
  /** a pax header being collected, for the size it may give the next entry */
  private pax: { chunks: Buffer[]; left: number; pad: number; global: boolean } | undefined;
  private paxSize: number | undefined;
  private paxGlobalSize: number | undefined;
  /** the walk lost step with the archive (a header the extractor will refuse itself) */
  private lost = false;

  constructor(
    private readonly maxBytes: number,
    private readonly allowUnknownFormat = false,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (!this.lost) this.walk(chunk);
    } catch (err) {
      return cb(err as Error);
    }
    cb(null, chunk);
  }

  private walk(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.lost) {
      if (this.pax) {
        const p = this.pax;
        const n = Math.min(p.left, chunk.length - at);
        p.chunks.push(chunk.subarray(at, at + n));
        p.left -= n;
        at += n;
        if (p.left === 0) this.endPax();
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const n = Math.min(BLOCK - this.header.length, chunk.length - at);
      this.header = Buffer.concat([this.header, chunk.subarray(at, at + n)]);
      at += n;
      if (this.header.length === BLOCK) {
        const block = this.header;
        this.header = Buffer.alloc(0);
        this.onHeader(block);
      }
    }
  }

  private onHeader(block: Buffer): void {
    let h: ReturnType<typeof headers.decode>;
    try {
      h = headers.decode(block, 'utf-8', this.allowUnknownFormat);
    } catch {
      this.lost = true;
      return;
    }
    if (!h) return; // a zero block: the extractor reads on
    const type = h.type ?? 'file';
    const size = h.size ?? 0;
    if (LONG_TYPES.has(type)) {
      if (size > this.maxBytes) {
        throw new KpyError('HEADERS_ARCHIVE_INVALID', `a ${type} entry of ${size} bytes (limit ${this.maxBytes}); paths and link targets of kernel headers are short`, {
          details: { type, bytes: size, limitBytes: this.maxBytes },
        });
      }
      const pad = overflow(size);
      if (type === 'pax-header' || type === 'pax-global-header') {
        this.pax = { chunks: [], left: size, pad, global: type === 'pax-global-header' };
        if (size === 0) this.endPax();
      } else {
        this.skip = size + pad;
      }
      return;
    }
    // tar-stream applies the size of the last per-file pax header (merged over the global one).
    const effective = this.paxSize ?? size;
    this.paxSize = undefined;
    if (effective === 0 || type === 'directory') return;
    this.skip = effective + overflow(effective);
  }

  private endPax(): void {
    const p = this.pax as NonNullable<LongHeaderGuard['pax']>;
    this.pax = undefined;
    this.skip = p.pad;
    let records: Record<string, string>;
    try {
      records = headers.decodePax(Buffer.concat(p.chunks));
    } catch {
      this.lost = true;
      return;
    }
    const size = records.size ? parseInt(records.size, 10) : undefined;
    if (p.global) this.paxGlobalSize = size;
    else this.paxSize = size ?? this.paxGlobalSize;
  }
}

function overflow(size: number): number {
  const rest = size & (BLOCK - 1);
  return rest ? BLOCK - rest : 0;
}
