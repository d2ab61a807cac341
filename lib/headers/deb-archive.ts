import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { KpyError } from '../errors.js';

const AR_MAGIC = '!<arch>\n';
const HEADER = 60;

export interface DebMember {
  name: string;
  offset: number;
  size: number;
}

/** Is this the start of a Debian binary package (an `ar` archive whose first member is debian-binary)? */
export function looksLikeDeb(head: Buffer): boolean {
  return head.length >= 8 + 16 && head.toString('latin1', 0, 8) === AR_MAGIC && head.toString('latin1', 8, 8 + 16).startsWith('debian-binary');
}

/** The members of the `ar` container of a .deb file. */
export async function listDebMembers(path: string): Promise<DebMember[]> {
  const fh = await open(path, 'r');
  try {
    const { size: total } = await fh.stat();
    const magic = Buffer.alloc(8);
    await fh.read(magic, 0, 8, 0);
    if (magic.toString('latin1') !== AR_MAGIC) throw invalid(path, 'not an ar archive');
    const out: DebMember[] = [];
    let at = 8;
    while (at + HEADER <= total && out.length < 16) {
      const h = Buffer.alloc(HEADER);
      await fh.read(h, 0, HEADER, at);
      if (h.toString('latin1', 58, 60) !== '`\n') throw invalid(path, `bad member header at ${at}`);
      const name = h.toString('latin1', 0, 16).trim().replace(/\/$/, '');
      const size = Number(h.toString('latin1', 48, 58).trim());
      if (!Number.isSafeInteger(size) || size < 0 || at + HEADER + size > total) throw invalid(path, `member ${name} overruns the file`);
      out.push({ name, offset: at + HEADER, size });
      at += HEADER + size + (size % 2);
    }
    return out;
  } finally {
    await fh.close();
  }
}

/**
 * The uncompressed `data.tar` of a .deb as a stream. Decompression of xz and
 * zstd runs in the host's `xz` / `zstd` with a memory limit; the caller
 * counts the bytes (decompression bombs).
 */
export async function openDebData(path: string): Promise<Readable> {
  const members = await listDebMembers(path);
  if (members[0]?.name !== 'debian-binary') throw invalid(path, 'first member is not debian-binary');
  const data = members.find((m) => m.name.startsWith('data.tar'));
  if (!data) throw invalid(path, 'no data.tar member');
  const raw = createReadStream(path, { start: data.offset, end: data.offset + data.size - 1 });
  switch (data.name) {
    case 'data.tar':
      return raw;
    case 'data.tar.gz':
      return raw.pipe(createGunzip());
    case 'data.tar.xz':
      return decompress(raw, 'xz', ['-dc', '--memlimit=256MiB', '--single-stream']);
    case 'data.tar.zst':
      return decompress(raw, 'zstd', ['-dc', '--memory=256MB']);
    default:
      throw invalid(path, `unsupported compression ${data.name}`);
  }
}

function decompress(input: Readable, cmd: string, args: string[]): Readable {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 2000) stderr += b.toString();
  });
  child.on('error', (err) => out.destroy(new KpyError('HEADERS_ARCHIVE_INVALID', `cannot run ${cmd}: ${err.message}`)));
  child.stdin.on('error', () => undefined);
  input.on('error', (err) => {
    child.kill('SIGKILL');
    out.destroy(err);
  });
  input.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  let exited: number | null | undefined;
  let ended = false;
  const finish = () => {
    if (exited === undefined || !ended) return;
    if (exited !== 0) out.destroy(new KpyError('HEADERS_ARCHIVE_INVALID', `${cmd} failed: ${stderr.trim() || `exit ${exited}`}`));
    else out.end();
  };
  child.stdout.on('end', () => {
    ended = true;
    finish();
  });
  child.on('close', (code) => {
    exited = code;
    finish();
  });
  // A consumer that stops early (limit reached) must not leave the process behind.
  out.on('close', () => {
    if (exited === undefined) child.kill('SIGKILL');
  });
  return out;
}

function invalid(path: string, why: string): KpyError {
  return new KpyError('HEADERS_ARCHIVE_INVALID', `${path.split('/').pop()}: ${why}`);
}
