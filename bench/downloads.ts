/**
 * Downloads and status reads side by side (issue 14, goals 1 and 5):
 * nginx serving the very bytes of a built kpython.ko vs the service serving
 * them by build key and by the CI fetch route, and the service's status GET
 * vs nginx serving a file of the same size. One run, interleaved rounds
 * (the machine is shared), wrk at 32 connections; prints each ratio.
 *
 *   npm run build && npm run bench:downloads
 *
 * Needs what `npm run setup` provides, plus nginx and wrk (installed if
 * missing). The service is the compiled `npm start` process (API and worker)
 * with its own data directory; it builds the module first (about a minute).
 * KPY_BENCH_KERNEL picks the kernel, KPY_BENCH_SECONDS the wrk duration
 * (default 8), KPY_BENCH_ROUNDS the rounds (default 3). KPY_BENCH_BASELINE_DIST
 * names another build of the service (e.g. `git worktree add /tmp/old <commit>
 * && cd /tmp/old && npx tsc`, then /tmp/old/dist): it runs as a second
 * service with its own build, in the same rounds, and each of its routes is
 * printed as a ratio too (this code vs that one).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnService } from '../test/integration/helpers/spawned-service.js';

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const SECONDS = Number(process.env.KPY_BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.KPY_BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;

interface WrkResult {
  rps: number;
  p99ms: number;
  errors: number;
}

async function main(): Promise<void> {
  ensureTools();
  // KPY_BENCH_PROFILE=DIR writes the service's V8 CPU profile there (at its exit).
  const nodeArgs = process.env.KPY_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KPY_BENCH_PROFILE}`] : [];
  const svc = await spawnService({ role: 'all', sources: ROOT, env: { KPY_LOG_LEVEL: 'info' }, nodeArgs });
  const baselineDist = process.env.KPY_BENCH_BASELINE_DIST;
  const base = baselineDist ? await spawnService({ role: 'all', sources: ROOT, env: { KPY_LOG_LEVEL: 'info' }, dist: baselineDist }) : undefined;
  const work = await mkdtemp(join(tmpdir(), 'kpy-bench-dl-'));
  let nginx: ChildProcess | undefined;
  try {
    const kernel = process.env.KPY_BENCH_KERNEL ?? (await newestBookworm(svc.url));
    const build = await buildAndWait(svc.url, kernel);
    const baseBuild = base ? await buildAndWait(base.url, kernel) : undefined;
    const module = build.artifacts.find((a) => a.name === 'kpython.ko');
    if (!module) throw new Error('the build has no kpython.ko');
    const stored = join(svc.dataDir, 'builds', build.id, 'kpython.ko');
    const statusBody = await (await fetch(`${svc.url}/v1/builds/${build.id}`)).text();
    await copyFile(stored, join(work, 'kpython.ko'));
    await writeFile(join(work, 'status.json'), statusBody);
    // nginx's workers run as www-data: let them read the copies.
    await chmod(work, 0o755);
    await chmod(join(work, 'kpython.ko'), 0o644);
    await chmod(join(work, 'status.json'), 0o644);
    const port = await freePort();
    nginx = await startNginx(work, port);
    const ng = `http://127.0.0.1:${port}`;
    console.log(`kernel ${kernel}, module ${module.size} bytes, status ${statusBody.length} bytes, wrk ${CONNECTIONS} connections ${SECONDS} s x ${ROUNDS} rounds`);

    // The bytes must be the same before speed means anything.
    for (const u of [`${ng}/kpython.ko`, `${svc.url}/v1/builds/${build.id}/artifacts/kpython.ko`, `${svc.url}/v1/kernels/${kernel}/kpython.ko`]) {
      const got = Buffer.from(await (await fetch(u)).arrayBuffer());
      if (!got.equals(await readFile(stored))) throw new Error(`${u} does not serve the stored module`);
    }

    const targets = {
      'nginx module': `${ng}/kpython.ko`,
      'service module': `${svc.url}/v1/builds/${build.id}/artifacts/kpython.ko`,
      'service CI fetch': `${svc.url}/v1/kernels/${kernel}/kpython.ko`,
      'nginx status-sized file': `${ng}/status.json`,
      'service status GET': `${svc.url}/v1/builds/${build.id}`,
      ...(base && baseBuild
        ? {
            'baseline module': `${base.url}/v1/builds/${baseBuild.id}/artifacts/kpython.ko`,
            'baseline CI fetch': `${base.url}/v1/kernels/${kernel}/kpython.ko`,
            'baseline status GET': `${base.url}/v1/builds/${baseBuild.id}`,
          }
        : {}),
    };
    const runs: Record<string, WrkResult[]> = {};
    // KPY_BENCH_ONLY=WORD runs only the targets whose names contain it.
    const only = process.env.KPY_BENCH_ONLY;
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, url] of Object.entries(targets)) {
        if (only && !name.includes(only)) continue;
        const res = wrk(url);
        (runs[name] ??= []).push(res);
        console.log(`  round ${r + 1} ${name.padEnd(24)} ${res.rps.toFixed(0).padStart(7)} req/s  p99 ${res.p99ms.toFixed(1)} ms${res.errors ? `  ${res.errors} errors` : ''}`);
      }
    }
    const med = (name: string) => median(runs[name] ?? []);
    const line = (name: string, base: string) => {
      if (!runs[name] || !runs[base]) return;
      const a = med(name);
      const b = med(base);
      console.log(
        `${name.padEnd(24)} ${a.rps.toFixed(0).padStart(7)} req/s p99 ${a.p99ms.toFixed(1).padStart(6)} ms | ${base}: ${b.rps.toFixed(0)} req/s p99 ${b.p99ms.toFixed(1)} ms | ratio ${(a.rps / b.rps).toFixed(2)}x throughput, ${(a.p99ms / b.p99ms).toFixed(2)}x p99`,
      );
    };
    console.log('medians:');
    line('service module', 'nginx module');
    line('service CI fetch', 'nginx module');
    line('service status GET', 'nginx status-sized file');
    line('service module', 'baseline module');
    line('service CI fetch', 'baseline CI fetch');
    line('service status GET', 'baseline status GET');
    const errors = Object.values(runs).flat().reduce((n, r) => n + r.errors, 0);
    if (errors) console.log(`socket or HTTP errors: ${errors}`);
  } finally {
    nginx?.kill('SIGTERM');
    await svc.stop();
    await base?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function ensureTools(): void {
  const missing = ['nginx', 'wrk'].filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (!missing.length) return;
  // Debian's nginx starts itself on port 80 when installed; policy-rc.d keeps it down.
  execFileSync('sh', ['-c', `printf '#!/bin/sh\\nexit 101\\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${missing.map((m) => (m === 'nginx' ? 'nginx-light' : m)).join(' ')}; rc=$?; rm -f /usr/sbin/policy-rc.d; exit $rc`], { stdio: 'inherit' });
}

/** nginx as a static server would be configured: sendfile, keep-alive, one worker per core, no access log. */
async function startNginx(root: string, port: number): Promise<ChildProcess> {
  const conf = join(root, 'nginx.conf');
  await writeFile(
    conf,
    `daemon off;
worker_processes auto;
pid ${root}/nginx.pid;
error_log ${root}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { application/octet-stream ko; application/json json; }
  server { listen 127.0.0.1:${port}; root ${root}; etag on; }
}
`,
  );
  const p = spawn('nginx', ['-c', conf, '-p', root], { stdio: 'inherit' });
  for (let i = 0; i < 200; i++) {
    if (await fetch(`http://127.0.0.1:${port}/status.json`).then((r) => r.ok, () => false)) return p;
    await new Promise((r) => setTimeout(r, 100));
  }
  p.kill();
  throw new Error(`nginx did not start: ${(await readFile(join(root, 'error.log'), 'utf8').catch(() => '(no error log)')).trim().split('\n').pop()}`);
}

function wrk(url: string): WrkResult {
  const out = execFileSync('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
  const scale = { us: 0.001, ms: 1, s: 1000 }[(p99?.[2] ?? 'ms') as 'us' | 'ms' | 's'];
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sock ? sock.slice(1).reduce((n, x) => n + Number(x), 0) : 0);
  if (!Number.isFinite(rps) || !p99) throw new Error(`cannot read wrk's output:\n${out}`);
  return { rps, p99ms: Number(p99[1]) * scale, errors };
}

function median(xs: WrkResult[]): WrkResult {
  const by = <K extends keyof WrkResult>(k: K) => [...xs].sort((a, b) => a[k] - b[k])[Math.floor(xs.length / 2)]?.[k] ?? NaN;
  return { rps: by('rps'), p99ms: by('p99ms'), errors: xs.reduce((n, x) => n + x.errors, 0) };
}

interface BuildView {
  id: string;
  state: string;
  error?: unknown;
  artifacts: { name: string; sha256: string; size: number }[];
}

async function buildAndWait(url: string, kernel: string): Promise<BuildView> {
  const post = await fetch(`${url}/v1/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kernel }) });
  if (post.status !== 200 && post.status !== 202) throw new Error(`POST /v1/builds: ${post.status} ${await post.text()}`);
  const { id } = (await post.json()) as BuildView;
  for (;;) {
    const b = (await (await fetch(`${url}/v1/builds/${id}`)).json()) as BuildView;
    if (b.state === 'succeeded') return b;
    if (b.state === 'failed') throw new Error(`the build failed: ${JSON.stringify(b.error)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function newestBookworm(url: string): Promise<string> {
  const { kernels } = (await (await fetch(`${url}/v1/kernels`)).json()) as { kernels: { release: string }[] };
  const r = kernels.map((k) => k.release).filter((k) => /^6\.1\.0-\d+-amd64$/.test(k));
  r.sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  if (!r[0]) throw new Error('no bookworm kernel in the archive');
  return r[0];
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
    s.on('error', rej);
  });
}

await main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
