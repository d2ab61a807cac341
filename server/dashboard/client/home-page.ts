import { getJson, type Build, type Kernel } from './api.js';
import { h, replaceKeepingFocus, stateBadge } from './dom.js';
import { buildDuration, formatAgo, formatDuration, isFinished } from './format.js';

/** How many recent builds the front page shows (the stylesheet reserves that many rows: no layout shift). */
export const RECENT_ROWS = 10;

const short = (id: string) => id.slice(0, 12);

function buildRow(b: Build): HTMLTableRowElement {
  const progress = b.progress ?? 0;
  return h(
    'tr',
    {},
    h('td', {}, h('a', { href: `/builds/${b.id}`, class: 'mono', 'data-focus': `build-${b.id}`, 'aria-label': `build ${short(b.id)} of ${b.kernel ?? 'unknown kernel'}` }, short(b.id))),
    h('td', { class: 'mono' }, b.kernel ?? ''),
    h('td', {}, stateBadge(b.state)),
    h('td', {}, b.stage ?? ''),
    h('td', {}, h('progress', { max: 100, value: progress, 'aria-label': `progress ${progress}%` }), ` ${progress}%`),
    h('td', { class: 'num' }, formatDuration(buildDuration(b))),
    h('td', {}, formatAgo(b.finishedAt ?? b.startedAt ?? b.createdAt)),
  );
}

function kernelRow(k: Kernel): HTMLTableRowElement {
  const v = k.versions[0];
  const state = k.state ?? (k.built ? 'succeeded' : null);
  const cell = k.build
    ? h('a', { href: `/builds/${k.build.split('/').pop() ?? ''}`, 'data-focus': `kernel-${k.release}`, 'aria-label': `build of ${k.release}: ${state ?? 'unknown'}` }, stateBadge(state))
    : h('span', { class: 'muted' }, 'not built');
  return h(
    'tr',
    { 'data-release': k.release },
    h('td', { class: 'mono' }, k.release),
    h('td', { class: 'mono' }, v?.version ?? ''),
    h('td', {}, v?.suite ?? ''),
    h('td', {}, k.arch),
    h('td', { title: k.compiler?.kernel ?? '' }, k.compiler ? `${k.compiler.image.replace(/^kpython-builder:/, '')} (${k.compiler.match})` : 'not read yet'),
    h('td', {}, k.trust),
    h('td', {}, cell),
  );
}

/** Column widths come from the table's class in the stylesheet (the CSP allows no inline styles). */
function table(cls: string, caption: string, heads: string[], body: HTMLTableSectionElement): HTMLTableElement {
  return h(
    'table',
    { class: cls },
    h('caption', { class: 'visually-hidden' }, caption),
    h('colgroup', {}, ...heads.map(() => h('col'))),
    h('thead', {}, h('tr', {}, ...heads.map((t) => h('th', { scope: 'col' }, t)))),
    body,
  );
}

export async function renderHome(main: HTMLElement): Promise<void> {
  const buildsBody = h('tbody');
  const kernelsBody = h('tbody');
  const buildsNote = h('p', { class: 'note', role: 'status' });
  const kernelsNote = h('p', { class: 'note', role: 'status' });
  const filter = h('input', { type: 'search', id: 'kernel-filter', placeholder: 'e.g. 6.1.0 or cloud', autocomplete: 'off' });
  let kernels: Kernel[] = [];
  const showKernels = () => {
    const q = filter.value.trim().toLowerCase();
    const rows = kernels.filter((k) => !q || `${k.release} ${k.versions[0]?.suite ?? ''} ${k.state ?? ''}`.toLowerCase().includes(q));
    replaceKeepingFocus(kernelsBody, ...rows.map(kernelRow));
    const built = kernels.filter((k) => k.built).length;
    kernelsNote.textContent = `${kernels.length} releases known, ${built} built${q ? `; ${rows.length} shown` : ''}`;
  };
  filter.addEventListener('input', showKernels);

  main.replaceChildren(
    h('h1', {}, 'Build service'),
    h(
      'section',
      { 'aria-labelledby': 'builds-h' },
      h('h2', { id: 'builds-h' }, 'Recent builds'),
      buildsNote,
      h('div', { class: 'reserve-builds' }, table('builds', 'Recent builds, newest first', ['Build', 'Kernel', 'State', 'Stage', 'Progress', 'Duration', 'When'], buildsBody)),
    ),
    h(
      'section',
      { 'aria-labelledby': 'kernels-h' },
      h('h2', { id: 'kernels-h' }, 'Kernels'),
      h('p', {}, h('label', { for: 'kernel-filter' }, 'Filter releases '), filter),
      kernelsNote,
      table('kernels', 'Kernel releases the service knows', ['Release', 'Version', 'Suite', 'Arch', 'Compiler', 'Trust', 'Build'], kernelsBody),
    ),
  );

  let lastBuilds = '';
  const loadBuilds = async () => {
    try {
      const { builds } = await getJson<{ builds: Build[] }>(`/v1/builds?limit=${RECENT_ROWS}`);
      const key = JSON.stringify(builds.map((b) => [b.id, b.state, b.stage, b.progress, b.durationMs]));
      if (key !== lastBuilds || builds.some((b) => !isFinished(b.state))) {
        lastBuilds = key;
        replaceKeepingFocus(buildsBody, ...builds.map(buildRow));
        buildsNote.textContent = builds.length ? '' : 'No builds yet. Request one with kpython build --kernel RELEASE.';
      }
      return builds;
    } catch (err) {
      buildsNote.textContent = `Cannot load builds: ${(err as Error).message}`;
      return [];
    }
  };
  const loadKernels = async () => {
    try {
      kernels = (await getJson<{ kernels: Kernel[] }>('/v1/kernels')).kernels;
      showKernels();
    } catch (err) {
      kernelsNote.textContent = `Cannot load kernels: ${(err as Error).message}`;
    }
  };
  await Promise.all([loadBuilds(), loadKernels()]);

  // Refresh while the page is visible: builds often, kernels when a build finished.
  let active = new Set<string>();
  setInterval(() => {
    if (document.hidden) return;
    void loadBuilds().then((builds) => {
      const now = new Set(builds.filter((b) => !isFinished(b.state)).map((b) => b.id));
      const finished = [...active].some((id) => !now.has(id));
      active = now;
      if (finished) void loadKernels();
    });
  }, 3000);
}
