import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readlink, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BuildMeta, StoredPackage } from '../artifact-store.js';
import type { BuildStore } from '../store/build-store.js';
import { compareDebianVersions } from '../debian-version.js';
import { runCommand } from '../run-command.js';
import { sha256Hex } from '../sha256.js';
import type { AptSigningKey } from '../signing/apt-signing-key.js';

/** Old snapshots stay this long for readers that resolved them just before a swap. */
const SNAPSHOT_GRACE_MS = 10 * 60_000;
const COMPONENT = 'main';

interface Entry {
  key: string;
  pkg: StoredPackage;
  sha256: string;
  size: number;
  finishedAt: string;
}

/**
 * The service's apt repository, generated from the published builds:
 * `dists/<codename>/{InRelease,Release,Release.gpg}` and
 * `main/binary-<arch>/Packages{,.gz,.xz}` per Debian codename, the .debs
 * served from the store under `pool/main/<build key>/<file>`. Each suite is
 * a complete snapshot directory published by one rename of a symlink, so a
 * reader never sees half an index; index files are also kept by hash
 * (Acquire-By-Hash), so an apt that read the old InRelease still gets the
 * Packages it names.
 */
export class AptRepository {
  constructor(
    private readonly root: string,
    private readonly store: BuildStore,
    private readonly key: () => Promise<AptSigningKey>,
  ) {}

  /** Regenerate every suite's indexes from the store (call with the publish lock held). */
  async publish(now = new Date()): Promise<{ suites: string[] }> {
    const builds = await this.store.list();
    const byCodename = new Map<string, BuildMeta[]>();
    for (const b of builds) {
      if (!b.debian || !b.packages?.length) continue;
      byCodename.set(b.debian.codename, [...(byCodename.get(b.debian.codename) ?? []), b]);
    }
    for (const [codename, list] of byCodename) await this.publishSuite(codename, list, now);
    await this.sweep();
    return { suites: [...byCodename.keys()].sort() };
  }

  /**
   * A file under /apt, or undefined: `dists/...` from the current snapshot
   * (by-hash from the hash store), `pool/main/<key>/<file>.deb` from the
   * build's artifacts.
   */
  async file(parts: string[]): Promise<string | undefined> {
    if (parts.some((p) => !p || p === '.' || p === '..' || p.includes('\0'))) return undefined;
    if (parts[0] === 'pool' && parts.length === 4 && parts[1] === COMPONENT) {
      const [, , key = '', name = ''] = parts;
      if (!/^[0-9a-f]{64}$/.test(key) || !name.endsWith('.deb')) return undefined;
      const meta = await this.store.meta(key);
      if (!meta?.packages?.some((p) => p.fileName === name)) return undefined;
      return this.store.path(key, name);
    }
    if (parts[0] !== 'dists' || parts.length < 3) return undefined;
    const hashed = parts.length >= 4 && parts[parts.length - 3] === 'by-hash' && parts[parts.length - 2] === 'SHA256' ? parts[parts.length - 1] : undefined;
    const path = hashed ? (/^[0-9a-f]{64}$/.test(hashed) ? join(this.root, 'by-hash', hashed) : undefined) : join(this.root, ...parts);
    if (!path) return undefined;
    return stat(path).then((s) => (s.isFile() ? realpath(path) : undefined), () => undefined);
  }

  private async publishSuite(codename: string, builds: BuildMeta[], now: Date): Promise<void> {
    // The newest build of each package version wins (a rebuild of a release with newer sources).
    const latest = new Map<string, Entry>();
    for (const b of builds) {
      for (const pkg of b.packages ?? []) {
        const art = b.artifacts.find((a) => a.name === pkg.fileName);
        if (!art) continue;
        const id = `${pkg.package} ${pkg.version} ${pkg.arch}`;
        const prev = latest.get(id);
        if (!prev || prev.finishedAt < b.finishedAt) latest.set(id, { key: b.key, pkg, sha256: art.sha256, size: art.size, finishedAt: b.finishedAt });
      }
    }
    const entries = [...latest.values()];
    const archs = [...new Set(entries.map((e) => e.pkg.arch).filter((a) => a !== 'all'))].sort();
    if (archs.length === 0) archs.push('amd64');

    const snap = join(this.root, 'snapshots', `${codename}-${now.getTime()}-${randomBytes(4).toString('hex')}`);
    const files: { rel: string; data: Buffer }[] = [];
    for (const arch of archs) {
      const mine = entries
        .filter((e) => e.pkg.arch === arch || e.pkg.arch === 'all')
        .sort((a, b) => (a.pkg.package < b.pkg.package ? -1 : a.pkg.package > b.pkg.package ? 1 : compareDebianVersions(a.pkg.version, b.pkg.version)));
      const text = mine
        .map((e) => `${e.pkg.control}\nFilename: pool/${COMPONENT}/${e.key}/${e.pkg.fileName}\nSize: ${e.size}\nSHA256: ${e.sha256}\n`)
        .join('\n');
      const plain = Buffer.from(text);
      const dir = `${COMPONENT}/binary-${arch}`;
      files.push({ rel: `${dir}/Packages`, data: plain }, { rel: `${dir}/Packages.gz`, data: gzipSync(plain, { level: 9 }) });
      const xz = await runCommand('xz', ['-9', '-c', '-T1'], plain).catch(() => undefined);
      if (xz?.code === 0) files.push({ rel: `${dir}/Packages.xz`, data: xz.stdout });
    }
    const release = [
      'Origin: kpython',
      'Label: kpython',
      `Suite: ${codename}`,
      `Codename: ${codename}`,
      `Date: ${now.toUTCString().replace('GMT', 'UTC')}`,
      `Architectures: ${archs.join(' ')}`,
      `Components: ${COMPONENT}`,
      'Description: kpython modules built by the kpython build service',
      'Acquire-By-Hash: yes',
      'SHA256:',
      ...files.map((f) => ` ${sha256Hex(f.data)} ${String(f.data.length).padStart(8)} ${f.rel}`),
      '',
    ].join('\n');
    const key = await this.key();
    const releaseBytes = Buffer.from(release);
    files.push(
      { rel: 'Release', data: releaseBytes },
      { rel: 'Release.gpg', data: Buffer.from(await key.detachSign(releaseBytes)) },
      { rel: 'InRelease', data: Buffer.from(await key.clearSign(release)) },
    );

    await mkdir(join(this.root, 'by-hash'), { recursive: true });
    for (const f of files) {
      await mkdir(join(snap, f.rel, '..'), { recursive: true });
      await writeFile(join(snap, f.rel), f.data);
      if (!f.rel.includes('Release')) {
        const h = join(this.root, 'by-hash', sha256Hex(f.data));
        if (!(await stat(h).then(() => true, () => false))) await writeAtomic(h, f.data);
      }
    }
    const dists = join(this.root, 'dists');
    await mkdir(dists, { recursive: true });
    const tmp = join(dists, `.tmp-${codename}-${randomBytes(6).toString('hex')}`);
    await symlink(join('..', 'snapshots', snap.split('/').pop() as string), tmp);
    await rename(tmp, join(dists, codename));
  }

  /** Remove snapshots no suite points to any more, once past the grace time. */
  private async sweep(): Promise<void> {
    const dists = join(this.root, 'dists');
    const current = new Set<string>();
    for (const name of await readdir(dists).catch(() => [] as string[])) {
      const target = await readlink(join(dists, name)).catch(() => undefined);
      if (target) current.add(target.split('/').pop() as string);
    }
    const snaps = join(this.root, 'snapshots');
    for (const name of await readdir(snaps).catch(() => [] as string[])) {
      if (current.has(name)) continue;
      const age = await stat(join(snaps, name)).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > SNAPSHOT_GRACE_MS) await rm(join(snaps, name), { recursive: true, force: true });
    }
  }
}

async function writeAtomic(path: string, data: Buffer): Promise<void> {
  const part = `${path}.${randomBytes(6).toString('hex')}.part`;
  await writeFile(part, data);
  await rename(part, path);
}
