/** Parse RFC 822-style control paragraphs (Debian `Packages`, `Release`). */
export function parseParagraphs(text: string, keep?: (firstLine: string) => boolean): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  for (const para of text.split(/\n\n+/)) {
    if (!para.trim()) continue;
    const nl = para.indexOf('\n');
    if (keep && !keep(nl < 0 ? para : para.slice(0, nl))) continue;
    out.push(parseFields(para));
  }
  return out;
}

/** Fields of one paragraph; continuation lines are joined with "\n". */
export function parseFields(para: string): Map<string, string> {
  const fields = new Map<string, string>();
  let key: string | undefined;
  for (const line of para.split('\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && key) {
      fields.set(key, `${fields.get(key) ?? ''}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    key = line.slice(0, colon);
    fields.set(key, line.slice(colon + 1).trim());
  }
  return fields;
}

export interface Dependency {
  name: string;
  op?: string;
  version?: string;
}

/** `a (>= 1), b | c` → [[a>=1], [b, c]] (architecture qualifiers dropped). */
export function parseDepends(value: string | undefined): Dependency[][] {
  if (!value) return [];
  return value.split(',').map((group) =>
    group
      .split('|')
      .map((alt) => /^\s*([a-z0-9][a-z0-9+.-]*)(?::\S+)?\s*(?:\(\s*(<<|<=|=|>=|>>)\s*([^)\s]+)\s*\))?/.exec(alt))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => (m[2] && m[3] ? { name: m[1] ?? '', op: m[2], version: m[3] } : { name: m[1] ?? '' })),
  );
}
