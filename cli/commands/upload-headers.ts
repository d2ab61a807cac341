import { readFile, stat } from 'node:fs/promises';
import { release as osRelease } from 'node:os';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ApiClient } from '../api-client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { defaultBuildDir, packHeaders, planHeadersPack } from '../headers-pack.js';

export interface UploadedView {
  id: string;
  release: string;
  arch: string;
  layout: string;
  compiler: { text: string; family: string; version: string };
  files: number;
  bytes: number;
  created: boolean;
  validationMs: number;
}

/**
 * Upload kernel headers: a build directory (default: the running kernel's),
 * packed as tar.gz on the fly, or linux-headers .deb files. Prints the id on
 * stdout and what the service detected on stderr.
 */
export async function uploadHeaders(api: ApiClient, o: { paths: string[]; sysroot?: string; quiet?: boolean }): Promise<UploadedView> {
  const say = (s: string) => {
    if (!o.quiet) process.stderr.write(`${s}\n`);
  };
  const paths = o.paths.length ? o.paths : [defaultBuildDir(osRelease())];
  const t0 = performance.now();
  let sent = 0;
  const count = new Transform({
    transform(chunk: Buffer, _e, cb) {
      sent += chunk.length;
      cb(null, chunk);
    },
  });
  let res: Response;
  if (paths.every((p) => p.endsWith('.deb'))) {
    const form = new FormData();
    for (const p of paths) {
      const data = await readFile(p).catch(() => {
        throw new CliError(`cannot read ${p}`, EXIT.USAGE);
      });
      sent += data.length;
      form.append('deb', new Blob([new Uint8Array(data.buffer, data.byteOffset, data.length)]), basename(p));
    }
    say(`uploading ${paths.length} .deb files (${(sent / 1048576).toFixed(1)} MiB)`);
    res = await api.request('/v1/headers', { method: 'POST', body: form });
  } else {
    if (paths.length !== 1) throw new CliError('upload-headers: one build directory, or .deb files', EXIT.USAGE);
    const dir = paths[0] as string;
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new CliError(`no kernel build directory at ${dir}`, EXIT.USAGE);
    const plan = await planHeadersPack(dir, o.sysroot);
    say(`packing ${plan.kdir} (${plan.layout}${plan.layout === 'rooted' ? `: ${plan.roots.join(', ')}` : ''})`);
    const { stream, done } = packHeaders(plan);
    const body = Readable.toWeb(stream.pipe(count)) as unknown as ReadableStream<Uint8Array>;
    res = await api.request('/v1/headers', { method: 'POST', headers: { 'content-type': 'application/gzip' }, body, duplex: 'half' } as RequestInit);
    const { files } = await done;
    say(`sent ${files === undefined ? '' : `${files} files, `}${(sent / 1048576).toFixed(1)} MiB gzip`);
  }
  const view = (await res.json()) as UploadedView;
  const secs = (performance.now() - t0) / 1000;
  say(
    `${view.created ? 'stored' : 'already stored'} ${view.id}: ${view.release} ${view.arch}, ${view.compiler.text || `${view.compiler.family} ${view.compiler.version}`}, ` +
      `${view.files} files; ${secs.toFixed(1)} s (${(sent / 1048576 / secs).toFixed(1)} MB/s, validation ${view.validationMs} ms)`,
  );
  return view;
}

export async function uploadHeadersCommand(api: ApiClient, o: { paths: string[]; sysroot?: string }): Promise<number> {
  const view = await uploadHeaders(api, o);
  process.stdout.write(`${view.id}\n`);
  return EXIT.OK;
}
