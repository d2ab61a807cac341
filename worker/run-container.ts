import type { Readable } from 'node:stream';
import { KpyError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { BuildContainerSpec, ContainerClient } from './container-client.js';

export interface ContainerRun {
  exitCode: number;
  /** files below outPath, read before the container is removed */
  outputs: Map<string, Buffer>;
}

/**
 * One container's life: volume + container created, input tar copied in,
 * started, log lines streamed, waited for with a wall-clock timeout (then
 * killed: BUILD_TIMEOUT), outputs copied out, and everything removed, also
 * on failure.
 */
export async function runBuildContainer(args: {
  client: ContainerClient;
  spec: BuildContainerSpec;
  input: () => Readable;
  outPath: string;
  readOutputs: (tar: Readable) => Promise<Map<string, Buffer>>;
  timeoutMs: number;
  onLine: (line: string) => void;
  onStarted?: (containerId: string) => void;
  log: Logger;
}): Promise<ContainerRun> {
  const { client, spec, log } = args;
  let id: string | undefined;
  const volume = await client.createVolume(spec.volume, spec.labels, spec.volumeBytes);
  if (!volume.bounded) log.warn({ why: volume.why }, 'the work volume is not size-bounded here');
  try {
    id = await client.create(spec);
    const clog = log.child({ containerId: id.slice(0, 12) });
    // Packing re-checks the sources; its own error (SOURCES_CHANGED) beats the engine's.
    const input = args.input();
    let inputError: unknown;
    input.on('error', (err) => {
      inputError ??= err;
    });
    await client.putArchive(id, spec.workDir, input).catch((err: unknown) => {
      throw inputError instanceof KpyError ? inputError : err;
    });
    await client.start(id);
    args.onStarted?.(id);
    clog.debug('container started');
    const lines = (async () => {
      for await (const line of client.logLines(id as string)) args.onLine(line);
    })();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      clog.warn({ timeoutMs: args.timeoutMs }, 'build timed out; killing the container');
      client.kill(id as string).catch((err: unknown) => clog.error({ err }, 'kill failed'));
    }, args.timeoutMs);
    let exitCode: number;
    try {
      exitCode = await client.wait(id);
    } finally {
      clearTimeout(timer);
    }
    await lines.catch((err: unknown) => clog.warn({ err }, 'log stream ended with an error'));
    if (timedOut) {
      throw new KpyError('BUILD_TIMEOUT', `the build ran longer than ${Math.round(args.timeoutMs / 1000)} s and was killed`);
    }
    const outputs = exitCode === 0 ? await args.readOutputs(await client.getArchive(id, args.outPath)) : new Map();
    return { exitCode, outputs };
  } finally {
    if (id) await client.remove(id).catch((err: unknown) => log.error({ err, id }, 'container removal failed'));
    await client.removeVolume(spec.volume).catch((err: unknown) => log.error({ err }, 'volume removal failed'));
  }
}
