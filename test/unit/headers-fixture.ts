import { gzipSync } from 'node:zlib';
import type tar from 'tar-stream';
import { tarBuffer } from '../../lib/tar-buffer.js';

export type FixtureEntry = tar.Headers & { body?: Buffer | string };

/** A tar archive (in memory) of the given entries, in order. */
export async function makeTar(entries: FixtureEntry[]): Promise<Buffer> {
  return tarBuffer(entries.map(({ body, ...h }) => ({ header: { mode: 0o644, ...h }, body: body ?? '' })));
}

export const gz = (b: Buffer) => gzipSync(b);

export const GCC12 = 'gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0';

/** The files a minimal kernel build directory needs to pass validation (no Kbuild inside). */
export function buildDirEntries(opts: { release?: string; makefile?: string; cc?: string; prefix?: string } = {}): FixtureEntry[] {
  const p = opts.prefix ?? '';
  const release = opts.release ?? '6.1.0-99-amd64';
  const [maj = 0, min = 0, pat = 0] = (/(\d+)\.(\d+)\.(\d+)\s*$/.exec(opts.cc ?? GCC12) ?? []).slice(1).map(Number);
  return [
    { name: `${p}.config`, body: `CONFIG_X86_64=y\nCONFIG_CC_VERSION_TEXT="${opts.cc ?? GCC12}"\nCONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=${maj * 10000 + min * 100 + pat}\n` },
    { name: `${p}Makefile`, body: opts.makefile ?? 'all:\n\t@echo fake kernel\n' },
    { name: `${p}Module.symvers`, body: '' },
    { name: `${p}include/config/kernel.release`, body: `${release}\n` },
    { name: `${p}include/generated/utsrelease.h`, body: `#define UTS_RELEASE "${release}"\n` },
    { name: `${p}scripts/`, type: 'directory' },
    { name: `${p}scripts/basic/fixdep`, body: '#!/bin/sh\n', mode: 0o755 },
  ];
}

/** A Debian binary package (ar: debian-binary, control.tar.gz, data.tar.gz) around a data tar. */
export function makeDeb(dataTar: Buffer, control: Buffer = Buffer.alloc(1024)): Buffer {
  const member = (name: string, body: Buffer) => {
    const h = Buffer.alloc(60, ' ');
    h.write(name.padEnd(16), 0, 'latin1');
    h.write('0'.padEnd(12), 16, 'latin1');
    h.write('0'.padEnd(6), 28, 'latin1');
    h.write('0'.padEnd(6), 34, 'latin1');
    h.write('100644'.padEnd(8), 40, 'latin1');
    h.write(String(body.length).padEnd(10), 48, 'latin1');
    h.write('`\n', 58, 'latin1');
    return Buffer.concat([h, body, body.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)]);
  };
  return Buffer.concat([
    Buffer.from('!<arch>\n', 'latin1'),
    member('debian-binary', Buffer.from('2.0\n')),
    member('control.tar.gz', gz(control)),
    member('data.tar.gz', gz(dataTar)),
  ]);
}
