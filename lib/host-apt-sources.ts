import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** One archive URI with the suites the host's apt configuration lists for it. */
export interface AptSource {
  uri: string;
  suites: string[];
}

/**
 * Read the host's apt source configuration (deb822 `*.sources` first, then
 * one-line `sources.list` / `*.list`), binary (`deb`) entries only. This is
 * how the service finds a Debian mirror without naming one in code.
 */
export async function readHostAptSources(etcApt = '/etc/apt'): Promise<AptSource[]> {
  const out: AptSource[] = [];
  const dir = join(etcApt, 'sources.list.d');
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  for (const name of names.filter((n) => n.endsWith('.sources'))) {
    out.push(...parseDeb822Sources(await readFile(join(dir, name), 'utf8')));
  }
  const lists = [join(etcApt, 'sources.list'), ...names.filter((n) => n.endsWith('.list')).map((n) => join(dir, n))];
  for (const file of lists) {
    const text = await readFile(file, 'utf8').catch(() => '');
    out.push(...parseOneLineSources(text));
  }
  return out;
}

export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m?.[1] && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2].trim());
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') || fields.get('enabled') === 'no') continue;
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
      out.push({ uri: trimSlash(uri), suites });
    }
  }
  return out;
}

export function parseOneLineSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const words = line.replace(/\[[^\]]*\]/, ' ').split(/\s+/).filter(Boolean);
    if (words[0] !== 'deb' || !words[1] || !words[2]) continue;
    out.push({ uri: trimSlash(words[1]), suites: [words[2]] });
  }
  return out;
}

/** The archive (non-security) and security mirrors of a source list. */
export function pickMirrors(sources: AptSource[]): { archive?: string; security?: string } {
  const isSecurity = (s: AptSource) => s.uri.includes('-security') || s.suites.some((x) => x.endsWith('-security'));
  return {
    archive: sources.find((s) => !isSecurity(s))?.uri,
    security: sources.find(isSecurity)?.uri,
  };
}

function trimSlash(uri: string): string {
  return uri.replace(/\/+$/, '');
}
