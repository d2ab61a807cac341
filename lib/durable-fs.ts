import { open } from 'node:fs/promises';
import { KpyError } from './errors.js';

/** Write a file and fsync it, so that after a crash or power loss it is whole or absent (with a directory fsync). */
export async function writeFileDurable(path: string, data: Buffer | string): Promise<void> {
  const fh = await open(path, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory: makes the names created or renamed in it durable. */
export async function fsyncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A full disk (or quota) is its own error with a stable code; anything else passes unchanged. */
export function storageError(err: unknown, what: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new KpyError('STORAGE_FULL', `no space left to store ${what}; earlier builds are intact`, { cause: err });
  }
  return err;
}
