/** What the progress display shows of a build; pure, so unit tests pin the rendering. */
export interface ProgressState {
  state: string;
  stage: string | null;
  progress: number | null;
  elapsedMs: number;
  /** the newest log line */
  last: string;
}

const BAR = 24;

/** m:ss (or h:mm:ss) */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(s >= 3600 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** `[=========>              ]  40% compile   0:12  CC [M] ...`, cut to `width` columns (one terminal line, never wrapped). */
export function renderProgressLine(p: ProgressState, width: number): string {
  const pct = Math.max(0, Math.min(100, Math.round(p.progress ?? 0)));
  const filled = Math.round((pct / 100) * BAR);
  const bar = filled >= BAR ? '='.repeat(BAR) : filled === 0 ? ' '.repeat(BAR) : `${'='.repeat(filled - 1)}>${' '.repeat(BAR - filled)}`;
  const label = (p.state === 'running' ? (p.stage ?? 'running') : p.state).slice(0, 10).padEnd(10);
  const head = `[${bar}] ${String(pct).padStart(3)}% ${label} ${clock(p.elapsedMs).padStart(5)}`;
  // Log lines may hold tabs or terminal escapes: show them as plain spaces.
  const last = p.last.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  const line = last ? `${head}  ${last}` : head;
  return [...line].slice(0, Math.max(0, width)).join('');
}

/** Without a terminal: one plain line whenever the stage changes (else nothing). */
export function stageChangeLine(id: string, before: { state: string; stage: string | null } | undefined, now: { state: string; stage: string | null; progress: number | null }): string | undefined {
  if (before && before.state === now.state && before.stage === now.stage) return undefined;
  return `[${id.slice(0, 12)}] ${now.state}${now.stage && now.stage !== now.state ? ` ${now.stage}` : ''}${now.progress != null ? ` ${now.progress}%` : ''}`;
}
