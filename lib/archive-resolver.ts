import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.js';
import { mirrorForSuite } from './config.js';
import { compareDebianVersions, satisfies } from './debian-version.js';
import type { Dependency } from './deb822.js';
import { KpyError } from './errors.js';
import { fetchBytes } from './http-fetch.js';
import { verifyInRelease } from './inrelease.js';
import { packageVersionFromUnameV } from './kernel-version.js';
import type { Logger } from './logger.js';
import { fetchPackagesIndex, type DebPackage } from './packages-index.js';

/** A header package pinned by name, version and checksum. */
export interface ResolvedPackage {
  name: string;
  version: string;
  arch: string;
  sha256: string;
  size: number;
  suite: string;
  url: string;
}

/** Everything needed to build against one Debian kernel release. */
export interface HeaderResolution {
  kind: 'debian';
  release: string;
  arch: string;
  /** version of linux-headers-<release> */
  version: string;
  /** linux-headers-<release> first, then its -common and linux-kbuild-* */
  packages: ResolvedPackage[];
  /** compiler packages the headers depend on (informational: the toolchain is chosen by the .config) */
  toolchain: string[];
}

export interface KernelListing {
  release: string;
  arch: string;
  /** Debian kernel flavour: amd64, cloud-amd64, rt-amd64, ... */
  flavour: string;
  versions: { version: string; suite: string }[];
}

export interface KernelResolver {
  listReleases(): Promise<KernelListing[]>;
  resolve(req: { release: string; version?: string }): Promise<HeaderResolution>;
  /** forget the in-memory index age: the next read fetches InRelease again (the prebuild watcher saw it change) */
  invalidate?(): void;
}

interface Snapshot {
  at: number;
  byName: Map<string, DebPackage[]>;
  suites: { suite: string; digest: string }[];
}

type VerifiedRelease = Awaited<ReturnType<typeof verifyInRelease>>;

const HEADERS = 'linux-headers-';
const isKernelPackage = (name: string) => name.startsWith(HEADERS) || name.startsWith('linux-kbuild-');

/**
 * Resolves kernel releases against the signed indexes of the configured
 * Debian suites: InRelease (OpenPGP, archive keyring) → Packages checksum →
 * package entries with their .deb checksums. Indexes are kept in memory for
 * the configured TTL and the filtered entries cached on disk by checksum.
 */
export class DebianArchiveResolver implements KernelResolver {
  private snapshot: Snapshot | undefined;
  private loading: Promise<Snapshot> | undefined;

  constructor(
    private readonly debian: Config['debian'],
    private readonly cacheDir: string,
    private readonly log: Logger,
  ) {}

  invalidate(): void {
    if (this.snapshot) this.snapshot = { ...this.snapshot, at: 0 };
  }

  async listReleases(): Promise<KernelListing[]> {
    const snap = await this.current();
    const out: KernelListing[] = [];
    for (const [name, pkgs] of snap.byName) {
      if (!name.startsWith(HEADERS)) continue;
      const real = pkgs.filter(isRealHeaders);
      if (real.length === 0) continue;
      out.push({
        release: name.slice(HEADERS.length),
        arch: real[0]?.arch ?? this.debian.arch,
        flavour: flavourOf(name.slice(HEADERS.length)),
        versions: real
          .map((p) => ({ version: p.version, suite: p.suite }))
          .sort((a, b) => compareDebianVersions(b.version, a.version)),
      });
    }
    return out.sort((a, b) => compareDebianVersions(b.release, a.release));
  }

  async resolve(req: { release: string; version?: string }): Promise<HeaderResolution> {
    const snap = await this.current();
    const candidates = (snap.byName.get(HEADERS + req.release) ?? []).filter(isRealHeaders);
    if (candidates.length === 0) {
      throw new KpyError('KERNEL_NOT_FOUND', `no linux-headers-${req.release} in ${this.debian.suites.join(', ')}`, {
        details: { release: req.release, suites: [...this.debian.suites] },
      });
    }
    let headers: DebPackage | undefined;
    if (req.version !== undefined) {
      const want = packageVersionFromUnameV(req.version);
      if (!want) throw new KpyError('VALIDATION_FAILED', `cannot find a Debian package version in "${req.version}"`);
      headers = candidates.find((p) => p.version === want);
      if (!headers) {
        throw new KpyError('KERNEL_NOT_FOUND', `linux-headers-${req.release} version ${want} is not in the archive`, {
          details: { release: req.release, version: want, available: candidates.map((p) => p.version) },
        });
      }
    } else {
      headers = [...candidates].sort((a, b) => compareDebianVersions(b.version, a.version))[0];
    }
    if (!headers) throw new KpyError('KERNEL_NOT_FOUND', `no linux-headers-${req.release}`);
    return this.closure(headers, snap, req.release);
  }

  private closure(headers: DebPackage, snap: Snapshot, release: string): HeaderResolution {
    // Cross builds (issue 9): the kernel's own headers and -common, but the
    // linux-kbuild-* of the builders' architecture (its fixdep, modpost run
    // on the builder; Debian's modpost wrapper serves any target class).
    const archOk = (p: DebPackage) =>
      p.arch === 'all' || p.arch === (p.name.startsWith('linux-kbuild-') ? this.debian.arch : headers.arch);
    const chosen: DebPackage[] = [];
    const toolchain: string[] = [];
    const seen = new Set<string>();
    const visit = (pkg: DebPackage) => {
      if (seen.has(pkg.name)) return;
      seen.add(pkg.name);
      chosen.push(pkg);
      for (const group of pkg.depends) {
        const kernelAlt = group.find((d) => isKernelPackage(d.name));
        if (!kernelAlt) {
          if (pkg === headers && group[0] && /^(gcc|clang|llvm|lld|linux-compiler-)/.test(group[0].name)) toolchain.push(group[0].name);
          continue;
        }
        visit(this.pick(kernelAlt, headers, snap, release, archOk));
      }
    };
    visit(headers);
    return {
      kind: 'debian',
      release,
      arch: headers.arch,
      version: headers.version,
      packages: chosen.map(({ name, version, arch, sha256, size, suite, url }) => ({
        name,
        version,
        arch,
        sha256,
        size,
        suite,
        url,
      })),
      toolchain,
    };
  }

  /** The dependency's package from the same source build when there is one, else the lowest that satisfies it. */
  private pick(dep: Dependency, headers: DebPackage, snap: Snapshot, release: string, archOk: (p: DebPackage) => boolean): DebPackage {
    const ok = (snap.byName.get(dep.name) ?? []).filter(
      (p) => archOk(p) && (!dep.op || !dep.version || satisfies(p.version, dep.op, dep.version)),
    );
    const same = ok.find((p) => p.version === headers.version);
    const lowest = [...ok].sort((a, b) => compareDebianVersions(a.version, b.version))[0];
    const pkg = same ?? lowest;
    if (!pkg) {
      const need = dep.op ? `${dep.name} (${dep.op} ${dep.version})` : dep.name;
      throw new KpyError('KERNEL_NOT_FOUND', `linux-headers-${release} ${headers.version} needs ${need}, which the archive lacks`, {
        details: { release, missing: need },
      });
    }
    return pkg;
  }

  private async current(): Promise<Snapshot> {
    const snap = this.snapshot;
    if (snap && Date.now() - snap.at < this.debian.indexTtlMs) return snap;
    this.loading ??= this.load()
      .then((s) => {
        this.snapshot = s;
        return s;
      })
      .catch((err: unknown) => {
        if (!snap) throw err;
        this.log.warn({ err }, 'archive index refresh failed; serving the previous index');
        return snap;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private async load(): Promise<Snapshot> {
    const started = Date.now();
    const arches = this.debian.targetArches.length ? this.debian.targetArches : [this.debian.arch];
    // one verified InRelease per suite serves the Packages index of every architecture
    const releases = new Map(this.debian.suites.map((suite) => [suite, this.fetchRelease(suite)]));
    const perSuite = await Promise.all(
      this.debian.suites.flatMap((suite) => arches.map(async (arch) => this.loadSuite(suite, arch, (await releases.get(suite)) as VerifiedRelease))),
    );
    const byName = new Map<string, DebPackage[]>();
    for (const { pkgs } of perSuite) {
      for (const p of pkgs) {
        const list = byName.get(p.name) ?? [];
        if (!list.some((q) => q.version === p.version && q.sha256 === p.sha256 && q.arch === p.arch)) list.push(p);
        byName.set(p.name, list);
      }
    }
    this.log.info({ suites: this.debian.suites, arches, packages: byName.size, ms: Date.now() - started }, 'archive index loaded');
    const suites = [...new Map(perSuite.map(({ suite, digest }) => [suite, { suite, digest }])).values()];
    return { at: Date.now(), byName, suites };
  }

  private async fetchRelease(suite: string): Promise<VerifiedRelease> {
    const raw = await fetchBytes(`${mirrorForSuite(this.debian, suite)}/dists/${suite}/InRelease`);
    return verifyInRelease(raw, this.debian.keyring, suite);
  }

  private async loadSuite(suite: string, arch: string, release: VerifiedRelease): Promise<{ suite: string; digest: string; pkgs: DebPackage[] }> {
    const mirror = mirrorForSuite(this.debian, suite);
    const index = `${this.debian.component}/binary-${arch}/Packages`;
    const id = release.files.get(`${index}.xz`)?.sha256 ?? release.files.get(`${index}.gz`)?.sha256 ?? release.digest;
    // the builders' architecture keeps the cache names it always had
    const cacheFile = join(this.cacheDir, arch === this.debian.arch ? `${suite}-${id}.json` : `${suite}-${arch}-${id}.json`);
    const cached = await readFile(cacheFile, 'utf8').then((t) => JSON.parse(t) as DebPackage[]).catch(() => undefined);
    if (cached) return { suite, digest: release.digest, pkgs: cached };
    const pkgs = await fetchPackagesIndex({
      mirror,
      release,
      component: this.debian.component,
      arch,
      keep: isKernelPackage,
    });
    await mkdir(this.cacheDir, { recursive: true });
    await writeFile(`${cacheFile}.part`, JSON.stringify(pkgs));
    await rename(`${cacheFile}.part`, cacheFile);
    return { suite, digest: release.digest, pkgs };
  }
}

/** 6.12.57+deb13-cloud-amd64 → cloud-amd64; 6.1.0-56-amd64 → amd64. */
export function flavourOf(release: string): string {
  return /^[0-9][^-]*-(?:\d+-)?(.+)$/.exec(release)?.[1] ?? release;
}

/** Real per-flavour headers depend on -common or linux-kbuild; metapackages only on other headers. */
function isRealHeaders(p: DebPackage): boolean {
  const rel = p.name.slice(HEADERS.length);
  if (!/^[0-9]/.test(rel) || /-common(-rt)?$/.test(rel)) return false;
  return p.depends.some((g) => g.some((d) => d.name.startsWith('linux-kbuild-') || /^linux-headers-.*-common/.test(d.name)));
}
