import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildDirEntries, makeTar, type FixtureEntry } from '../../unit/headers-fixture.js';

/** One tar block header (ustar), enough for crafted entries tar-stream's packer would not write. */
export function tarHeader(name: string, type: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

/** A tar whose first entry is a long-name header (`L` GNU, `x` pax) of `size` bytes, then a valid tree. */
export async function longHeaderTar(type: 'L' | 'x', size: number): Promise<Buffer> {
  const body = randomBytes(size); // incompressible: the ratio limit cannot help
  return Buffer.concat([tarHeader('././@LongLink', type, size), body, pad(size), await makeTar(buildDirEntries())]);
}

/** `count` entries, each `depth` directories deep below its own top directory: every ancestor is new. */
export async function deepPathsTar(count: number, depth: number, component: string): Promise<Buffer> {
  const entries: FixtureEntry[] = [...buildDirEntries()];
  for (let i = 0; i < count; i++) entries.push({ name: `t${i}/${`${component}/`.repeat(depth)}f`, body: '' });
  return makeTar(entries);
}

/** Symbolic links that chain into each other, each resolved through every link after it. */
export async function symlinkChainTar(links: number): Promise<Buffer> {
  const entries: FixtureEntry[] = [...buildDirEntries(), { name: 'd/', type: 'directory' }];
  for (let i = 0; i < links; i++) entries.push({ name: `s${i}`, type: 'symlink', linkname: i + 1 < links ? `s${i + 1}/../s${i + 1}` : 'd' });
  return makeTar(entries);
}

export const gz = (b: Buffer) => gzipSync(b, { level: 9 });
