import { renderBuild } from './build-page.js';
import { renderHome } from './home-page.js';

/** One page per URL: `/` (kernels and builds) and `/builds/<id>` (one build, its live log). */
async function start(): Promise<void> {
  const main = document.getElementById('main') as HTMLElement;
  const m = /^\/builds\/([0-9a-f]{64})\/?$/.exec(location.pathname);
  try {
    if (m?.[1]) await renderBuild(main, m[1]);
    else await renderHome(main);
  } catch (err) {
    main.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', textContent: (err as Error).message }));
  }
  // What the browser test and bench wait for: rendered with data and handlers attached.
  performance.mark('kpython-ready');
  document.documentElement.dataset.ready = 'true';
}

void start();
