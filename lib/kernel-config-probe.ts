import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import type { ResolvedPackage } from './archive-resolver.js';
import type { DebCache } from './deb-cache.js';
import { KpyError } from './errors.js';
import { openDebData } from './headers/deb-archive.js';
import { kernelConfigFacts, type KernelConfigFacts } from './kernel-compiler.js';

/**
 * The toolchain facts of a Debian kernel release, read from the `.config` in
 * its verified linux-headers-<release> package (downloaded into the .deb
 * cache, which the build needs anyway) and cached by the package's sha256.
 */
export class KernelConfigProbe {
  private readonly memo = new Map<string, KernelConfigFacts>();
  /** one probe per package at a time: concurrent first requests share it */
  private readonly inflight = new Map<string, Promise<KernelConfigFacts>>();

  constructor(
    private readonly debs: DebCache,
    private readonly cacheDir: string,
  ) {}

  private file(sha256: string): string {
    return join(this.cacheDir, `${sha256}.json`);
  }

  /** Facts if already known on this machine (no download). */
  async peek(pkg: Pick<ResolvedPackage, 'sha256'>): Promise<KernelConfigFacts | undefined> {
    const hit = this.memo.get(pkg.sha256);
    if (hit) return hit;
    const text = await readFile(this.file(pkg.sha256), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const facts = JSON.parse(text) as KernelConfigFacts;
    this.memo.set(pkg.sha256, facts);
    return facts;
  }

  async facts(pkg: ResolvedPackage, release: string): Promise<KernelConfigFacts> {
    const known = await this.peek(pkg);
    if (known) return known;
    let p = this.inflight.get(pkg.sha256);
    if (!p) {
      p = this.probe(pkg, release).finally(() => this.inflight.delete(pkg.sha256));
      this.inflight.set(pkg.sha256, p);
    }
    return p;
  }

  private async probe(pkg: ResolvedPackage, release: string): Promise<KernelConfigFacts> {
    const deb = await this.debs.ensure(pkg);
    const config = await readConfigFromDeb(deb, `usr/src/linux-headers-${release}/.config`);
    if (config === undefined) {
      throw new KpyError('HEADERS_INVALID', `${pkg.name} ${pkg.version} holds no usr/src/linux-headers-${release}/.config`);
    }
    const facts = kernelConfigFacts(config);
    await mkdir(this.cacheDir, { recursive: true });
    // Unique scratch name: another process (API and worker share the cache) may probe the same package.
    const f = this.file(pkg.sha256);
    const part = `${f}.${randomBytes(6).toString('hex')}.part`;
    try {
      await writeFile(part, JSON.stringify(facts));
      await rename(part, f);
    } finally {
      await rm(part, { force: true });
    }
    this.memo.set(pkg.sha256, facts);
    return facts;
  }
}

async function readConfigFromDeb(debPath: string, member: string): Promise<string | undefined> {
  const data = await openDebData(debPath);
  const extract = tar.extract();
  data.on('error', (err) => extract.destroy(err));
  data.pipe(extract);
  try {
    for await (const entry of extract) {
      if (entry.header.name.replace(/^\.\//, '') === member && entry.header.type === 'file') {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      }
      entry.resume();
    }
    return undefined;
  } finally {
    data.destroy();
  }
}
