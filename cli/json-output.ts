import type { Check } from '../lib/verify-artifacts.js';
import type { BuildView } from './api-client.js';

/**
 * `--json`: one JSON document on stdout per command (logs and progress stay
 * on stderr), with `ok` and the command's result; on failure `ok: false`
 * and `error` { message, exitCode }. Shapes are built here, in one place,
 * and pinned by unit tests: CI scripts parse them.
 */
export interface VerifyJson {
  ok: boolean;
  command: 'verify';
  file: string;
  kind: 'module' | 'deb';
  sha256: string;
  trust: string | null;
  checks: Check[];
}

export interface FetchJson {
  ok: boolean;
  command: 'fetch';
  build: string;
  kernel: string | null;
  trust: string | null;
  sha256: string;
  files: { module: string; signature: string; provenance: string } | null;
  installed: { path: string; depmod: string[] } | null;
  checks: Check[];
}

export interface BuildJson {
  ok: boolean;
  command: 'build';
  build: { id: string; state: string; kernel: string | null; error: { code: string; message: string } | null; artifacts: { name: string; sha256: string | null; size: number | null; url: string }[] };
}

export interface ErrorJson {
  ok: false;
  command: string;
  error: { message: string; exitCode: number };
}

export function buildJson(b: BuildView, base: string, ok: boolean): BuildJson {
  return {
    ok,
    command: 'build',
    build: {
      id: b.id,
      state: b.state,
      kernel: b.kernel,
      error: b.error ? { code: b.error.code, message: b.error.message } : null,
      artifacts: b.artifacts.map((a) => ({ name: a.name, sha256: a.sha256 ?? null, size: a.size ?? null, url: new URL(a.url, base).href })),
    },
  };
}

export function errorJson(command: string, message: string, exitCode: number): ErrorJson {
  return { ok: false, command, error: { message, exitCode } };
}

export function printJson(doc: VerifyJson | FetchJson | BuildJson | ErrorJson): void {
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}
