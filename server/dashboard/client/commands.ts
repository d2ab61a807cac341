/**
 * The commands a build's page offers: download and `kpython verify` each
 * signed artifact, and `apt` lines when the build has a Debian package.
 * Pure, so a unit test checks them.
 */

export interface ArtifactRef {
  name: string;
  url: string;
}

export interface CommandBuild {
  id: string;
  kernel: string | null;
  version: string | null;
  trust: string | null;
  suite?: string | null;
  artifacts: ArtifactRef[];
}

export interface CommandBlock {
  title: string;
  lines: string[];
}

/** Quote for a POSIX shell when needed. */
export function sh(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Artifacts that have a detached signature `<name>.sig` beside them (the module, its .debs). */
export function signedArtifacts(artifacts: ArtifactRef[]): ArtifactRef[] {
  const names = new Set(artifacts.map((a) => a.name));
  return artifacts.filter((a) => !a.name.endsWith('.sig') && names.has(`${a.name}.sig`));
}

/** The kpython-modules-<release> package among the artifacts, if the build made one. */
export function modulePackage(artifacts: ArtifactRef[]): ArtifactRef | undefined {
  return artifacts.find((a) => /^kpython-modules-.+\.deb$/.test(a.name));
}

/** bookworm-security → bookworm: the apt repository's distribution. */
export function codenameOf(suite: string): string {
  return suite.split('-')[0] ?? suite;
}

export function commandBlocks(origin: string, b: CommandBuild): CommandBlock[] {
  const blocks: CommandBlock[] = [];
  const server = `--server ${sh(origin)}`;
  const uploaded = b.trust === 'uploaded';
  const allow = uploaded ? ' --allow-uploaded-headers' : '';
  if (b.kernel && !uploaded) {
    blocks.push({
      title: 'Fetch and verify in one step',
      lines: [`kpython fetch ${server} --kernel ${sh(b.kernel)}${b.version ? ` --version ${sh(b.version)}` : ''} -o kpython.ko`],
    });
  }
  const provenance = b.artifacts.find((a) => a.name === 'provenance.json');
  const abs = (a: ArtifactRef) => sh(new URL(a.url, origin).href);
  for (const a of signedArtifacts(b.artifacts)) {
    const sig = b.artifacts.find((x) => x.name === `${a.name}.sig`) as ArtifactRef;
    const lines = [`curl -fsSL -o ${sh(a.name)} ${abs(a)}`, `curl -fsSL -o ${sh(sig.name)} ${abs(sig)}`];
    if (provenance) lines.push(`curl -fsSL -o ${sh(`${a.name}.provenance.json`)} ${abs(provenance)}`);
    lines.push(`kpython verify ${sh(a.name)} ${server}${allow}`);
    blocks.push({ title: `Verify ${a.name}`, lines });
  }
  const pkg = modulePackage(b.artifacts);
  if (pkg && b.kernel && b.suite) {
    const repo = `${origin.replace(/\/$/, '')}/apt`;
    blocks.push({
      title: 'Install with apt',
      lines: [
        `curl -fsSL ${sh(`${origin.replace(/\/$/, '')}/v1/keys/apt.gpg`)} | sudo tee /usr/share/keyrings/kpython.gpg >/dev/null`,
        `echo ${sh(`deb [signed-by=/usr/share/keyrings/kpython.gpg] ${repo} ${codenameOf(b.suite)} main`)} | sudo tee /etc/apt/sources.list.d/kpython.list`,
        'sudo apt-get update',
        `sudo apt-get install ${sh(`kpython-modules-${b.kernel}`)}`,
      ],
    });
  }
  return blocks;
}
