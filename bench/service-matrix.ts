/**
 * Toolchain matrix through a running service (issue 4's closing numbers):
 * lists the kernel releases the resolver knows, builds the newest release of
 * every (suite, flavour) — or every release with --all — one after another,
 * and prints one line per build (suite, flavour, release, toolchain, match,
 * state, wall time) and a summary.
 *
 *   node dist/bench/service-matrix.js [--server URL] [--all] [--force]
 *
 * Needs a service with a worker (`npm start`); uses $KPY_TOKEN if set.
 */
import { parseArgs } from 'node:util';

interface Kernel {
  release: string;
  flavour: string;
  versions: { version: string; suite: string }[];
}
interface Build {
  id: string;
  state: string;
  durationMs: number | null;
  error: { code: string; message: string } | null;
  toolchain: { image: string; kernelCompiler: string; match: string } | null;
}

const { values } = parseArgs({ options: { server: { type: 'string' }, all: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } } });
const base = values.server ?? process.env.KPY_URL ?? 'http://127.0.0.1:8080';
const auth: Record<string, string> = process.env.KPY_TOKEN ? { authorization: `Bearer ${process.env.KPY_TOKEN}` } : {};

async function json<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(path, base), init);
  return { status: res.status, body: (await res.json()) as T };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const { body: list } = await json<{ suites: string[]; count: number; kernels: Kernel[] }>('/v1/kernels');
  console.log(`resolver: ${list.count} kernel releases in ${list.suites.join(', ')} (listed in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const groups = new Map<string, Kernel[]>();
  for (const k of list.kernels) {
    const key = `${k.versions[0]?.suite ?? '?'} ${k.flavour}`;
    groups.set(key, [...(groups.get(key) ?? []), k]);
  }
  for (const s of list.suites) {
    if (![...groups.keys()].some((g) => g.startsWith(`${s} `))) console.log(`suite ${s}: no kernel releases of its own today`);
  }
  const chosen = [...groups.entries()].sort().flatMap(([, ks]) => (values.all ? ks : ks.slice(0, 1)));
  console.log(`building ${chosen.length} releases${values.all ? '' : ' (newest of each suite and flavour)'}\n`);
  console.log(`${'suite'.padEnd(18)} ${'flavour'.padEnd(12)} ${'release'.padEnd(28)} ${'image'.padEnd(15)} ${'match'.padEnd(6)} ${'state'.padEnd(10)} wall`);
  const results: { ok: boolean; seconds: number; image: string }[] = [];
  for (const k of chosen) {
    const b0 = performance.now();
    const post = await json<Build & { code?: string; detail?: string }>('/v1/builds', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ kernel: k.release, force: values.force }),
    });
    let build: Build | undefined = post.status < 300 ? post.body : undefined;
    while (build && (build.state === 'queued' || build.state === 'running')) {
      await new Promise((r) => setTimeout(r, 1000));
      build = (await json<Build>(`/v1/builds/${build.id}`)).body;
    }
    const seconds = (performance.now() - b0) / 1000;
    const state = build?.state ?? `${post.status} ${post.body.code}`;
    const ok = build?.state === 'succeeded';
    const image = build?.toolchain?.image ?? '-';
    results.push({ ok, seconds, image });
    console.log(
      `${(k.versions[0]?.suite ?? '?').padEnd(18)} ${k.flavour.padEnd(12)} ${k.release.padEnd(28)} ${image.padEnd(15)} ${(build?.toolchain?.match ?? '-').padEnd(6)} ${state.padEnd(10)} ${seconds.toFixed(1)} s` +
        (ok ? '' : `  ${build?.error?.code ?? ''} ${(build?.error?.message ?? post.body.detail ?? '').slice(0, 160)}`),
    );
  }
  const ok = results.filter((r) => r.ok);
  console.log(`\n${ok.length} of ${results.length} builds succeeded; resolver lists ${list.count} releases`);
  for (const image of [...new Set(ok.map((r) => r.image))].sort()) {
    const xs = ok.filter((r) => r.image === image).map((r) => r.seconds);
    console.log(`  ${image}: ${xs.length} builds, mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)} s, max ${Math.max(...xs).toFixed(1)} s`);
  }
  if (ok.length !== results.length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
