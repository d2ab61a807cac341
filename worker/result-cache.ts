import { readFile, rename, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256Hex } from '../lib/sha256.js';
import { tarBuffer } from '../lib/tar-buffer.js';
import { readOutputs } from './output-tar.js';

/**
 * The outputs of a container build (unsigned kpython.ko, its debug info,
 * the DKMS source tree) kept beside the object cache of the builder image
 * that made them, under the build key: the sha256 of every input (sources,
 * builder script, each header package's digest, the toolchain's identity,
 * the fixed options; lib/build-plan.ts). The same key is the same inputs,
 * so a trusted build whose key was built before on this worker — after a
 * restart, with another store, a lost result — reuses these bytes instead
 * of compiling them again (issue 14's warm rebuild). A forced rebuild never
 * does: it exists to prove the bytes come out the same.
 *
 * Entries: <image dir>/results/<key>.tar and <key>.sha256 (written last,
 * both by atomic rename); a tar whose digest does not match is ignored.
 * pruneObjectCache bounds them with the objects.
 */
function paths(imageDir: string, key: string): { tar: string; digest: string } {
  const base = join(imageDir, 'results', key);
  return { tar: `${base}.tar`, digest: `${base}.sha256` };
}

/** The stored outputs of build `key`, or undefined (absent, or not the bytes their digest names). */
export async function loadResult(imageDir: string, key: string, maxBytes: number): Promise<Map<string, Buffer> | undefined> {
  const p = paths(imageDir, key);
  const [tar, digest] = await Promise.all([readFile(p.tar).catch(() => undefined), readFile(p.digest, 'utf8').catch(() => undefined)]);
  if (!tar || !digest || sha256Hex(tar) !== digest.trim()) return undefined;
  const outputs = await readOutputs(Readable.from([tar]), maxBytes).catch(() => undefined);
  if (!outputs?.has('kpython.ko')) return undefined;
  const now = new Date();
  await utimes(p.digest, now, now).catch(() => undefined);
  return outputs;
}

/** Keep the outputs of build `key` (files as the container left them in its out directory). */
export async function storeResult(imageDir: string, key: string, outputs: Map<string, Buffer>): Promise<void> {
  const p = paths(imageDir, key);
  await mkdir(join(imageDir, 'results'), { recursive: true });
  const names = [...outputs.keys()].sort();
  const tar = await tarBuffer(
    names.map((n) => ({ header: { name: `out/${n}`, size: outputs.get(n)?.length ?? 0, mode: 0o644, mtime: new Date(0), type: 'file' as const }, body: outputs.get(n) })),
  );
  const stage = `.${process.pid}${Date.now()}`;
  try {
    await writeFile(`${p.tar}${stage}`, tar);
    await writeFile(`${p.digest}${stage}`, sha256Hex(tar));
    await rename(`${p.tar}${stage}`, p.tar);
    await rename(`${p.digest}${stage}`, p.digest);
  } finally {
    await rm(`${p.tar}${stage}`, { force: true });
    await rm(`${p.digest}${stage}`, { force: true });
  }
}
