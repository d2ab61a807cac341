/**
 * A minimal ELF64 little-endian relocatable object with a `.modinfo`
 * section, enough to exercise the module checks without a compiler.
 */
export function makeModuleElf(modinfo: string[], machine = 62, type = 1): Buffer {
  const info = Buffer.from(`${modinfo.join('\0')}\0`);
  const shstr = Buffer.from('\0.modinfo\0.shstrtab\0');
  const infoOff = 64;
  const strOff = infoOff + info.length;
  const shoff = Math.ceil((strOff + shstr.length) / 8) * 8;
  const elf = Buffer.alloc(shoff + 3 * 64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2; // 64-bit
  elf[5] = 1; // little endian
  elf[6] = 1;
  elf.writeUInt16LE(type, 0x10);
  elf.writeUInt16LE(machine, 0x12);
  elf.writeBigUInt64LE(BigInt(shoff), 0x28);
  elf.writeUInt16LE(64, 0x34);
  elf.writeUInt16LE(64, 0x3a);
  elf.writeUInt16LE(3, 0x3c);
  elf.writeUInt16LE(2, 0x3e);
  info.copy(elf, infoOff);
  shstr.copy(elf, strOff);
  const sh = (i: number, name: number, type: number, off: number, size: number) => {
    const at = shoff + i * 64;
    elf.writeUInt32LE(name, at);
    elf.writeUInt32LE(type, at + 4);
    elf.writeBigUInt64LE(BigInt(off), at + 0x18);
    elf.writeBigUInt64LE(BigInt(size), at + 0x20);
  };
  sh(1, 1, 1, infoOff, info.length);
  sh(2, 10, 3, strOff, shstr.length);
  return elf;
}
