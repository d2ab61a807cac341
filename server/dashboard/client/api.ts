/** The service's JSON API, as the dashboard reads it (same origin, reads need no token). */

export interface Artifact {
  name: string;
  sha256?: string;
  size?: number;
  url: string;
}

export interface Build {
  id: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  stage: string | null;
  progress: number | null;
  kernel: string | null;
  version: string | null;
  headers: string | null;
  suite?: string | null;
  trust: string | null;
  moduleSignature: string | null;
  toolchain: { image: string; compiler: string; kernelCompiler: string; match: string } | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: { code: string; message: string } | null;
  artifacts: Artifact[];
  links: { self: string; log: string };
}

export interface Kernel {
  release: string;
  arch: string;
  flavour: string;
  versions: { version: string; suite: string }[];
  trust: string;
  compiler: { kernel: string; image: string; match: string } | null;
  built: boolean;
  state: Build['state'] | null;
  build: string | null;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    let detail = `HTTP ${res.status}`;
    try {
      const p = (await res.json()) as { code?: string; detail?: string };
      detail = `${p.code ?? detail}: ${p.detail ?? ''}`;
    } catch {
      // not a problem document
    }
    throw new Error(`${path}: ${detail}`);
  }
  return (await res.json()) as T;
}
