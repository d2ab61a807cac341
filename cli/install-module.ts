import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { runCommand } from '../lib/run-command.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * Where `fetch --install` puts the module: `updates/kpython/` of the
 * release's module directory, which depmod searches before the kernel's own
 * modules. `/lib/modules` (merged-/usr systems reach the same place); under
 * a root whose only module tree is `usr/lib/modules` (trixie layout without
 * the /lib link), that one.
 */
export function installPath(root: string, release: string, has: (p: string) => boolean = existsSync): string {
  const lib = join(root, 'lib', 'modules', release);
  const usrLib = join(root, 'usr', 'lib', 'modules', release);
  const base = !has(lib) && has(usrLib) ? usrLib : lib;
  return join(base, 'updates', 'kpython', 'kpython.ko');
}

/** depmod as Debian's postinst does it (`-F System.map` when there is one), `-b ROOT` for a prefix. */
export function depmodArgs(root: string, release: string, has: (p: string) => boolean = existsSync): string[] {
  const systemMap = join(root, 'boot', `System.map-${release}`);
  return [...(resolve(root) === '/' ? [] : ['-b', root]), '-a', ...(has(systemMap) ? ['-F', systemMap] : []), release];
}

const DEPMOD = ['/usr/sbin/depmod', '/sbin/depmod'];

/** The release a module is for: the first word of its vermagic (what the kernel compares). */
export function releaseOfVermagic(vermagic: string): string {
  const r = vermagic.trim().split(/\s+/)[0];
  if (!r) throw new CliError('the module has no vermagic: cannot tell which kernel it is for', EXIT.VERIFY_FAILED);
  return r;
}

/** Put a verified module in place (atomically, 0644) and run depmod; returns where and the depmod command. */
export async function installModule(module: Buffer, release: string, root = '/'): Promise<{ path: string; depmod: string[] }> {
  const path = installPath(root, release);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.part`, module, { mode: 0o644 });
  await chmod(`${path}.part`, 0o644);
  await rename(`${path}.part`, path);
  const depmod = DEPMOD.find((p) => existsSync(p)) ?? 'depmod';
  const args = depmodArgs(root, release);
  const r = await runCommand(depmod, args);
  if (r.code !== 0) throw new CliError(`${path} installed, but ${depmod} ${args.join(' ')} failed: ${r.stderr.trim()}`, EXIT.SERVICE_ERROR);
  return { path, depmod: [depmod, ...args] };
}
