/**
 * The Debian package version inside a `uname -v` string:
 * "#1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)" → "6.1.123-1".
 * A bare package version ("6.1.123-1") is accepted as it is.
 */
export function packageVersionFromUnameV(value: string): string | undefined {
  const m = /\bDebian\s+(\d[A-Za-z0-9.+~:-]*)/.exec(value);
  if (m?.[1]) return m[1];
  const bare = value.trim();
  return /^\d[A-Za-z0-9.+~:-]*$/.test(bare) ? bare : undefined;
}

/** A kernel release name as `uname -r` prints it, e.g. 6.1.0-56-amd64. */
export const KERNEL_RELEASE_RE = /^[0-9][A-Za-z0-9.+~_-]{0,127}$/;
