import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who a process is, well enough to tell later whether it still lives: the
 * host, the pid and the pid's start time (so a reused pid is not mistaken
 * for the old process). Used by the worker lease (a crashed predecessor's
 * lease can be taken over at once) and the store's start-up sweep (a
 * crashed commit's scratch directory can be removed at once).
 */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** clock ticks after boot, field 22 of /proc/<pid>/stat */
  start: string;
}

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export function selfIdentity(): ProcessIdentity {
  return { host: hostname(), pid: process.pid, start: processStartTime(process.pid) ?? '' };
}

/**
 * False only when the process is known to be gone: it ran on this host and
 * its pid is free or now belongs to a process started at another time.
 * Processes on other hosts cannot be checked and count as alive.
 */
export function mayBeAlive(p: Pick<ProcessIdentity, 'host' | 'pid'> & { start?: string }): boolean {
  if (p.host !== hostname()) return true;
  const start = processStartTime(p.pid);
  if (start === undefined) return false;
  return p.start === undefined || p.start === '' || p.start === start;
}
