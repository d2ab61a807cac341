import { trustOf } from '../lib/build-plan.js';
import type { BuildRecord } from '../lib/build-records.js';

/** The public JSON form of a build. */
export function buildView(b: BuildRecord): Record<string, unknown> {
  const self = `/v1/builds/${b.id}`;
  const started = b.startedAt ? Date.parse(b.startedAt) : undefined;
  const finished = b.finishedAt ? Date.parse(b.finishedAt) : undefined;
  return {
    id: b.id,
    state: b.state,
    stage: b.stage ?? null,
    progress: b.progress ?? null,
    kernel: b.release ?? b.meta?.release ?? null,
    version: b.inputs?.headers.kind === 'debian' ? b.inputs.headers.version : null,
    headers: b.inputs?.headers.kind === 'upload' ? `sha256:${b.inputs.headers.id}` : null,
    suite: b.suite ?? null,
    // archive: Debian headers verified from the archive; uploaded: the client's build system, never the module-signing key
    trust: b.inputs ? trustOf(b.inputs.headers) : (b.meta?.trust ?? (b.meta ? 'archive' : null)),
    moduleSignature: b.meta ? (b.meta.moduleSignature ?? 'module-signing') : null,
    // the worker id that built it (the record: the last one that started it)
    worker: b.meta?.worker ?? b.worker ?? null,
    toolchain: b.toolchain ?? null,
    createdAt: b.createdAt ?? null,
    startedAt: b.startedAt ?? b.meta?.startedAt ?? null,
    finishedAt: b.finishedAt ?? b.meta?.finishedAt ?? null,
    timings: b.timings ?? null,
    durationMs: started && finished ? finished - started : (b.meta?.durationMs ?? null),
    error: b.error ? { code: b.error.code, message: b.error.message, ...(b.error.details ? { details: b.error.details } : {}) } : null,
    artifacts:
      b.meta?.artifacts.map((a) => ({ ...a, url: `${self}/artifacts/${a.name}` })) ??
      (b.state === 'failed' ? [{ name: 'build.log', url: `${self}/artifacts/build.log` }] : []),
    unsignedSha256: b.meta?.unsignedSha256 ?? null,
    inputs: b.inputs ?? null,
    links: { self, log: `${self}/log` },
  };
}

/** A build in a list: the view without its resolved inputs (the bulk of it). */
export function buildSummary(b: BuildRecord): Record<string, unknown> {
  const { inputs: _inputs, ...rest } = buildView(b);
  return rest;
}
