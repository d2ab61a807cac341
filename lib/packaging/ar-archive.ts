/**
 * A Unix `ar` archive as dpkg reads it (the common format, "!<arch>\n",
 * 60-byte member headers, members padded to even length). Every header field
 * is fixed (mtime from the caller, uid/gid 0, mode 0100644), so the same
 * members give the same bytes.
 */
export function arArchive(members: { name: string; data: Buffer }[], mtime: number): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n', 'ascii')];
  for (const m of members) {
    if (m.name.length > 16 || /[\s/]/.test(m.name)) throw new Error(`ar member name "${m.name}" does not fit the common format`);
    const header =
      m.name.padEnd(16) +
      String(mtime).padEnd(12) +
      '0'.padEnd(6) +
      '0'.padEnd(6) +
      '100644'.padEnd(8) +
      String(m.data.length).padEnd(10) +
      '`\n';
    parts.push(Buffer.from(header, 'ascii'), m.data);
    if (m.data.length % 2 === 1) parts.push(Buffer.from('\n', 'ascii'));
  }
  return Buffer.concat(parts);
}

/** The members of an ar archive (for reading back what was written, e.g. a .deb's control). */
export function readArArchive(data: Buffer): { name: string; data: Buffer }[] {
  if (data.subarray(0, 8).toString('ascii') !== '!<arch>\n') throw new Error('not an ar archive');
  const out: { name: string; data: Buffer }[] = [];
  let off = 8;
  while (off + 60 <= data.length) {
    const h = data.subarray(off, off + 60).toString('ascii');
    const name = h.slice(0, 16).trim().replace(/\/$/, '');
    const size = Number(h.slice(48, 58).trim());
    if (!Number.isSafeInteger(size) || off + 60 + size > data.length) throw new Error('truncated ar archive');
    out.push({ name, data: data.subarray(off + 60, off + 60 + size) });
    off += 60 + size + (size % 2);
  }
  return out;
}
