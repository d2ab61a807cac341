import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** The compiled browser modules (tsc puts them beside this file) and the hand-written HTML and CSS (in the source tree). */
const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
const STATIC_DIR = fileURLToPath(new URL('../../../server/dashboard/static/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

export interface Asset {
  type: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
}

export interface DashboardAssets {
  /** content hash of all assets together: their URL prefix `/assets/<version>/` */
  version: string;
  files: Map<string, Asset>;
  index: Asset;
}

function asset(name: string, data: Buffer): Asset {
  return {
    type: TYPES[extname(name)] ?? 'application/octet-stream',
    identity: data,
    gzip: gzipSync(data, { level: 9 }),
    br: brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
    etag: `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`,
  };
}

/**
 * Load the dashboard once per process (small files, at start): every asset is addressed by one content
 * hash over all of them (relative module imports keep working, and a changed
 * file changes every URL), so they are cached for a year; index.html names
 * that version and is revalidated by ETag. Compressed forms are made once.
 */
let loaded: DashboardAssets | undefined;

export function loadDashboardAssets(): DashboardAssets {
  loaded ??= load();
  return loaded;
}

function load(): DashboardAssets {
  const raw = new Map<string, Buffer>();
  for (const name of readdirSync(CLIENT_DIR).sort()) {
    if (name.endsWith('.js') || name.endsWith('.js.map')) raw.set(name, readFileSync(join(CLIENT_DIR, name)));
  }
  raw.set('dashboard.css', readFileSync(join(STATIC_DIR, 'dashboard.css')));
  if (!raw.has('main.js')) throw new Error(`no dashboard script in ${CLIENT_DIR}: run \`npm run build\``);
  const h = createHash('sha256');
  for (const [name, data] of raw) h.update(`${name}\0${data.length}\0`).update(data);
  const version = h.digest('hex').slice(0, 16);
  const base = `/assets/${version}`;
  // Preload every module: the browser fetches them in parallel instead of discovering imports one level at a time.
  const preload = [...raw.keys()]
    .filter((n) => n.endsWith('.js') && n !== 'main.js')
    .map((n) => `<link rel="modulepreload" href="${base}/${n}">`)
    .join('\n');
  const html = readFileSync(join(STATIC_DIR, 'index.html'), 'utf8').replaceAll('{{assets}}', base).replace('{{preload}}', preload);
  const files = new Map([...raw].map(([name, data]) => [name, asset(name, data)]));
  return { version, files, index: asset('index.html', Buffer.from(html)) };
}
