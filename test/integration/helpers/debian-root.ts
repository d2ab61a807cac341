import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../../lib/run-command.js';
import { sha256Hex } from '../../../lib/sha256.js';
import { LABEL_RUN } from '../../../worker/container-client.js';
import { REPO_ROOT } from './test-core.js';

/** The bookworm builder image `npm run setup` made: a debootstrapped Debian root with apt, dpkg, gcc-12, make, kmod. */
export async function bookwormRootImage(): Promise<{ tag: string; id: string }> {
  const rec = JSON.parse(await readFile(join(REPO_ROOT, 'data', 'images', 'bookworm-gcc12.json'), 'utf8')) as { tag: string; id: string };
  return rec;
}

/**
 * Run a shell script as root in a throw-away container of `image`, labelled
 * for cleanup. `network: 'host'` only for apt talking to the service on
 * 127.0.0.1 (dockerd has no bridge); everything else runs with none.
 */
export async function runInRoot(opts: { image: string; script: string; mounts?: [string, string][]; network: 'host' | 'none'; runLabel: string }): Promise<{ code: number; out: string }> {
  const args = ['run', '--rm', '--network', opts.network, '--label', `${LABEL_RUN}=${opts.runLabel}`, '--label', 'org.kpython.app=kpython-test'];
  for (const [host, inside] of opts.mounts ?? []) args.push('-v', `${host}:${inside}`);
  args.push(opts.image, 'sh', '-c', opts.script);
  const r = await runCommand('docker', args);
  return { code: r.code, out: `${r.stdout.toString()}${r.stderr}` };
}

/**
 * The .debs `packages` need on top of what `image` has, downloaded once by
 * the host's apt (its configuration names the mirror) against the image's
 * own dpkg status and kept under ${KPY_CACHE_DIR:-/var/cache/kpython}/test-roots/<hash>/.
 */
export async function debsFor(image: { tag: string; id: string }, packages: string[], runLabel: string): Promise<string[]> {
  const cacheRoot = process.env.KPY_CACHE_DIR ?? '/var/cache/kpython';
  const dir = join(cacheRoot, 'test-roots', sha256Hex(`${image.id}\n${packages.join(' ')}`).slice(0, 16));
  const done = join(dir, '.complete');
  if (!(await readFile(done).then(() => true, () => false))) {
    const tmp = `${dir}.part-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(join(tmp, 'archives', 'partial'), { recursive: true });
    const status = await runInRoot({ image: image.tag, script: 'cat /var/lib/dpkg/status', network: 'none', runLabel });
    if (status.code !== 0) throw new Error(`cannot read the image's dpkg status: ${status.out}`);
    await writeFile(join(tmp, 'status'), status.out);
    const r = await runCommand('apt-get', [
      'install', '--download-only', '-y', '-qq', '--no-install-recommends',
      '-o', `Dir::State::status=${join(tmp, 'status')}`,
      '-o', `Dir::Cache::archives=${join(tmp, 'archives')}`,
      '-o', 'Debug::NoLocking=1',
      ...packages,
    ]);
    if (r.code !== 0) throw new Error(`apt-get --download-only ${packages.join(' ')}: ${r.stderr}`);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await writeFile(done, '');
  }
  const names = (await readdir(join(dir, 'archives'))).filter((n) => n.endsWith('.deb'));
  return names.map((n) => join(dir, 'archives', n));
}

/**
 * An image of `base` after `script` ran in it (e.g. dkms and kernel headers
 * installed), committed once as kpython-test-root:<name>-<hash of base, script
 * and the mounted files' names> and reused by later runs.
 */
export async function cachedRoot(opts: { base: string; name: string; script: string; mounts: [string, string][]; runLabel: string }): Promise<string> {
  const tag = `kpython-test-root:${opts.name}-${sha256Hex(JSON.stringify([opts.base, opts.script, opts.mounts])).slice(0, 12)}`;
  if ((await runCommand('docker', ['image', 'inspect', tag])).code === 0) return tag;
  const name = `kpy-root-${opts.name}-${process.pid}-${Date.now()}`;
  const args = ['run', '--name', name, '--network', 'none', '--label', `${LABEL_RUN}=${opts.runLabel}`, '--label', 'org.kpython.app=kpython-test'];
  for (const [host, inside] of opts.mounts) args.push('-v', `${host}:${inside}:ro`);
  try {
    const r = await runCommand('docker', [...args, opts.base, 'sh', '-c', opts.script]);
    if (r.code !== 0) throw new Error(`preparing ${tag}: ${r.stdout.toString()}${r.stderr}`);
    const c = await runCommand('docker', ['commit', name, tag]);
    if (c.code !== 0) throw new Error(`docker commit ${tag}: ${c.stderr}`);
  } finally {
    await runCommand('docker', ['rm', '-f', name]);
  }
  return tag;
}
