/** Pure formatting for the dashboard (also unit-tested under node). */

export function formatBytes(n: number | undefined | null): string {
  if (n == null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** 83_000 → "1 min 23 s"; 4_200 → "4.2 s". */
export function formatDuration(ms: number | undefined | null): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** How long a build ran: its recorded duration, or since it started when still running. */
export function buildDuration(b: { state: string; durationMs?: number | null; startedAt?: string | null }, now = Date.now()): number | null {
  if (b.durationMs != null) return b.durationMs;
  if (b.state === 'running' && b.startedAt) return now - Date.parse(b.startedAt);
  return null;
}

/** "3 min ago" for a time in the past. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const d = now - Date.parse(iso);
  if (!Number.isFinite(d)) return '';
  if (d < 60_000) return 'just now';
  if (d < 3600_000) return `${Math.floor(d / 60_000)} min ago`;
  if (d < 86_400_000) return `${Math.floor(d / 3600_000)} h ago`;
  return `${Math.floor(d / 86_400_000)} d ago`;
}

export const isFinished = (state: string) => state === 'succeeded' || state === 'failed';
