import { getJson, type Build } from './api.js';
import { commandBlocks } from './commands.js';
import { h, stateBadge } from './dom.js';
import { buildDuration, formatBytes, formatDuration, isFinished } from './format.js';

/** Lines kept on the page; the full log stays one link away. */
const MAX_LOG_LINES = 20_000;

function copyButton(text: string, label: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy: ${label}` }, 'Copy');
  b.addEventListener('click', () => {
    navigator.clipboard?.writeText(text).then(
      () => (b.textContent = 'Copied'),
      () => (b.textContent = 'Select and copy'),
    );
  });
  return b;
}

function facts(b: Build): HTMLElement {
  const progress = b.progress ?? 0;
  const rows: [string, Node | string][] = [
    ['State', stateBadge(b.state)],
    ['Stage', b.stage ?? ''],
    ['Progress', h('span', {}, h('progress', { max: 100, value: progress, 'aria-label': `progress ${progress}%` }), ` ${progress}%`)],
    ['Duration', formatDuration(buildDuration(b))],
    ['Kernel', h('span', { class: 'mono' }, b.kernel ?? '')],
    ['Version', h('span', { class: 'mono' }, b.version ?? b.headers ?? '')],
    ['Trust', b.trust === 'uploaded' ? 'uploaded headers (not an archive build; no module-signing key)' : (b.trust ?? '')],
    ['Module signature', b.moduleSignature ?? (isFinished(b.state) ? 'none' : 'when built')],
    ['Compiler', b.toolchain ? `${b.toolchain.compiler} in ${b.toolchain.image} (${b.toolchain.match})` : ''],
    ['Started', b.startedAt ?? ''],
    ['Finished', b.finishedAt ?? ''],
    ['Error', b.error ? h('span', { class: 'error' }, `${b.error.code}: ${b.error.message}`) : 'none'],
  ];
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function artifactsTable(b: Build): HTMLElement {
  if (!b.artifacts.length) return h('p', { class: 'muted' }, b.state === 'failed' ? 'No artifacts: the build failed.' : 'Artifacts appear when the build succeeds.');
  return h(
    'table',
    { class: 'artifacts' },
    h('caption', { class: 'visually-hidden' }, 'Artifacts with their sha256 and size'),
    h('colgroup', {}, h('col'), h('col'), h('col')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Artifact'), h('th', { scope: 'col' }, 'Size'), h('th', { scope: 'col' }, 'sha256'))),
    h(
      'tbody',
      {},
      ...b.artifacts.map((a) =>
        h('tr', {}, h('td', {}, h('a', { href: a.url, download: a.name }, a.name)), h('td', { class: 'num' }, formatBytes(a.size)), h('td', { class: 'mono hash' }, a.sha256 ?? '')),
      ),
    ),
  );
}

function commands(b: Build): HTMLElement {
  if (b.state !== 'succeeded') return h('p', { class: 'muted' }, 'Commands to verify and install appear when the build succeeds.');
  const blocks = commandBlocks(location.origin, b);
  return h(
    'div',
    {},
    ...blocks.map((c) => {
      const text = c.lines.join('\n');
      return h('div', { class: 'cmd' }, h('h3', {}, c.title), h('pre', { tabindex: 0 }, h('code', {}, text)), copyButton(text, c.title));
    }),
  );
}

export async function renderBuild(main: HTMLElement, id: string): Promise<void> {
  // The first view before anything is drawn: the page appears once, whole (nothing below moves when it arrives).
  let first: Build;
  try {
    first = await getJson<Build>(`/v1/builds/${id}`);
  } catch (err) {
    main.replaceChildren(h('h1', {}, 'Build ', h('span', { class: 'mono' }, id.slice(0, 12))), h('p', { class: 'error', role: 'alert' }, (err as Error).message));
    return;
  }
  const status = h('div', { 'aria-live': 'polite', id: 'status' });
  const artifacts = h('div', { class: 'reserve-artifacts' });
  const cmds = h('div');
  const log = h('pre', { id: 'log', class: 'log', tabindex: 0, role: 'log', 'aria-live': 'off', 'aria-label': 'Build log' });
  const logNote = h('p', { class: 'note', id: 'log-state' }, 'Connecting to the live log…');
  main.replaceChildren(
    h('p', {}, h('a', { href: '/' }, '← All builds')),
    h('h1', {}, 'Build ', h('span', { class: 'mono' }, id.slice(0, 12))),
    h('p', { class: 'mono hash', 'aria-label': 'build id' }, id),
    status,
    h('section', { 'aria-labelledby': 'log-h' }, h('h2', { id: 'log-h' }, 'Log ', h('a', { href: `/v1/builds/${id}/log`, class: 'small' }, '(plain text)')), log, logNote),
    h('section', { 'aria-labelledby': 'art-h' }, h('h2', { id: 'art-h' }, 'Artifacts'), artifacts),
    h('section', { 'aria-labelledby': 'cmd-h' }, h('h2', { id: 'cmd-h' }, 'Verify and install'), cmds),
  );

  let shown = '';
  let build: Build | undefined;
  const show = (b: Build) => {
    build = b;
    status.replaceChildren(facts(b));
    document.title = `${b.state} · ${b.kernel ?? id.slice(0, 12)} · kpython`;
    const key = JSON.stringify([b.state, b.artifacts.map((a) => a.sha256)]);
    if (key !== shown) {
      shown = key;
      artifacts.replaceChildren(artifactsTable(b));
      cmds.replaceChildren(commands(b));
    }
  };
  const refresh = async () => {
    try {
      show(await getJson<Build>(`/v1/builds/${id}`));
    } catch (err) {
      status.replaceChildren(h('p', { class: 'error', role: 'alert' }, (err as Error).message));
    }
  };
  show(first);

  // Live log: lines are batched into one DOM write per frame; the view follows the end unless scrolled up.
  let pending: string[] = [];
  // One text node per batch; their line counts, oldest first, so the oldest batches can go.
  const batches: number[] = [];
  let lines = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    log.append(pending.join(''));
    batches.push(pending.length);
    lines += pending.length;
    pending = [];
    while (lines > MAX_LOG_LINES && batches.length > 1 && log.firstChild) {
      log.firstChild.remove();
      lines -= batches.shift() ?? 0;
    }
    if (atEnd) log.scrollTop = log.scrollHeight;
  };
  const events = new EventSource(`/v1/builds/${id}/log`);
  events.addEventListener('open', () => (logNote.textContent = 'Following the live log.'));
  events.addEventListener('line', (e) => {
    pending.push(`${(e as MessageEvent<string>).data}\n`);
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(flush);
    }
  });
  events.addEventListener('end', (e) => {
    events.close();
    logNote.textContent = `Log complete: the build ${(e as MessageEvent<string>).data}.`;
    void refresh();
  });
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED) logNote.textContent = 'The live log is not available; see the plain-text log.';
    else logNote.textContent = 'Reconnecting to the live log…';
  });
  const poll = setInterval(() => {
    if (build && isFinished(build.state)) {
      clearInterval(poll);
      return;
    }
    if (!document.hidden) void refresh();
  }, 2000);
}
