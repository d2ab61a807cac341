import { KpyError } from './errors.js';

const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const ET_REL = 1;

/** Machine numbers per Debian architecture we can check. */
const MACHINE: Record<string, number> = { amd64: EM_X86_64, arm64: EM_AARCH64 };

/**
 * Read the `.modinfo` section of a 64-bit little-endian relocatable ELF
 * (a kernel module) into key → values.
 */
export function readModinfo(elf: Buffer): Map<string, string[]> {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) throw invalid('not an ELF file');
  if (elf[4] !== 2 || elf[5] !== 1) throw invalid('not a 64-bit little-endian ELF file');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  if (shentsize < 64 || shoff + shnum * shentsize > elf.length || shstrndx >= shnum) throw invalid('bad section table');
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: elf.readUInt32LE(at),
      offset: Number(elf.readBigUInt64LE(at + 0x18)),
      size: Number(elf.readBigUInt64LE(at + 0x20)),
    };
  };
  const strtab = section(shstrndx);
  const nameOf = (off: number) => {
    const start = strtab.offset + off;
    const end = elf.indexOf(0, start);
    return elf.toString('latin1', start, end < 0 ? start : end);
  };
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameOf(s.name) !== '.modinfo') continue;
    if (s.offset + s.size > elf.length) throw invalid('.modinfo outside the file');
    const info = new Map<string, string[]>();
    for (const entry of elf.toString('utf8', s.offset, s.offset + s.size).split('\0')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const k = entry.slice(0, eq);
      info.set(k, [...(info.get(k) ?? []), entry.slice(eq + 1)]);
    }
    return info;
  }
  throw invalid('no .modinfo section');
}

/**
 * Check that `elf` is a kernel module for `release` on `arch`: relocatable
 * ELF of the right machine, `vermagic` starting with the release, and the
 * expected module name.
 */
export function checkModule(elf: Buffer, opts: { release: string; arch: string; name: string }): { vermagic: string } {
  const info = readModinfo(elf);
  if (elf.readUInt16LE(0x10) !== ET_REL) throw invalid('not a relocatable object (ET_REL)');
  const machine = MACHINE[opts.arch];
  if (machine !== undefined && elf.readUInt16LE(0x12) !== machine) {
    throw invalid(`ELF machine ${elf.readUInt16LE(0x12)} is not ${opts.arch}`);
  }
  const vermagic = info.get('vermagic')?.[0];
  if (!vermagic) throw invalid('no vermagic in .modinfo');
  if (vermagic.split(' ')[0] !== opts.release) {
    throw invalid(`vermagic "${vermagic.trim()}" is not for kernel ${opts.release}`);
  }
  const name = info.get('name')?.[0];
  if (name !== opts.name) throw invalid(`module name is ${name ?? '(none)'}, expected ${opts.name}`);
  return { vermagic: vermagic.trim() };
}

function invalid(message: string): KpyError {
  return new KpyError('ARTIFACT_INVALID', `kpython.ko: ${message}`);
}
