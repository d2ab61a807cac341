/** Elements built with text only (never innerHTML): log lines and names cannot inject markup. */

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

/** Replace an element's children, keeping keyboard focus on the element with the same data-focus key. */
export function replaceKeepingFocus(parent: Element, ...children: Node[]): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active && parent.contains(active) ? active.dataset.focus : undefined;
  parent.replaceChildren(...children);
  if (key) (parent.querySelector(`[data-focus="${CSS.escape(key)}"]`) as HTMLElement | null)?.focus();
}

/** A state as text and a class (the colour never carries the meaning alone). */
export function stateBadge(state: string | null | undefined): HTMLElement {
  const s = state ?? 'unknown';
  return h('span', { class: `state state-${s}` }, s);
}
