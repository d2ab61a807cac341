/**
 * Debian version comparison (deb-version(7)): epoch, upstream version and
 * revision, compared part by part with dpkg's ordering (`~` sorts before
 * everything, letters before non-letters).
 */
export function compareDebianVersions(a: string, b: string): number {
  const pa = split(a);
  const pb = split(b);
  if (pa.epoch !== pb.epoch) return pa.epoch < pb.epoch ? -1 : 1;
  return compareFragment(pa.upstream, pb.upstream) || compareFragment(pa.revision, pb.revision);
}

function split(v: string): { epoch: number; upstream: string; revision: string } {
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? Number.parseInt(v.slice(0, colon), 10) : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0
    ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) }
    : { epoch, upstream: rest, revision: '0' };
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let first = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = i < a.length && !isDigit(a[i]) ? order(a[i]) : 0;
      const bc = j < b.length && !isDigit(b[j]) ? order(b[j]) : 0;
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!first) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (first) return first;
  }
  return 0;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Does `version` satisfy the dependency relation `op ref` (`>=`, `=`, ...)? */
export function satisfies(version: string, op: string, ref: string): boolean {
  const c = compareDebianVersions(version, ref);
  switch (op) {
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>>':
      return c > 0;
    case '<<':
      return c < 0;
    default:
      return false;
  }
}
