import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../lib/run-command.js';

/**
 * A size-bounded filesystem for a build's work volume: a sparse file with an
 * ext4 filesystem, attached to a loop device that Docker's local volume
 * driver mounts. A tmpfs volume would be bounded too, but Docker unmounts
 * (and so empties) it between copying the inputs in and starting the
 * container; a plain volume is bounded only by the host's disk. The file
 * takes only the blocks the build writes, and is removed with the volume.
 */
export async function createLoopVolume(dir: string, name: string, bytes: number): Promise<{ device: string; file: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${name}.ext4`);
  try {
    await writeFile(file, '', { mode: 0o600 });
    await truncate(file, bytes);
    const mkfs = await runCommand('mkfs.ext4', ['-q', '-F', '-m', '0', '-O', '^has_journal', '-E', 'lazy_itable_init=1,root_owner=0:0', file]);
    if (mkfs.code !== 0) throw new Error(`mkfs.ext4: ${mkfs.stderr.trim()}`);
    const loop = await runCommand('losetup', ['--find', '--show', file]);
    if (loop.code !== 0) throw new Error(`losetup: ${loop.stderr.trim()}`);
    return { device: loop.stdout.toString('utf8').trim(), file };
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}

/** Detach the loop devices of a volume's file and remove it (no-op when gone). */
export async function removeLoopVolume(file: string): Promise<void> {
  const list = await runCommand('losetup', ['--noheadings', '--output', 'NAME', '--associated', file]);
  for (const dev of list.stdout.toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean)) {
    await runCommand('losetup', ['--detach', dev]);
  }
  await rm(file, { force: true });
}
