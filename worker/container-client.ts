import type { Readable } from 'node:stream';

/** How one build container is made: the locked-down settings live in the adapter. */
export interface BuildContainerSpec {
  image: string;
  name: string;
  labels: Record<string, string>;
  cmd: string[];
  env: Record<string, string>;
  /** named volume mounted read-write (and executable) at workDir */
  volume: string;
  /** the volume's size: what the build may write there in all */
  volumeBytes?: number;
  workDir: string;
  /** host directories mounted into the container (the object cache of trusted builds) */
  binds?: { source: string; target: string; readOnly: boolean }[];
  /** extra writable tmpfs mounts: path → size in bytes */
  tmpfs: Record<string, number>;
  memoryBytes: number;
  pids: number;
  cpus: number;
}

/**
 * The narrow view of a container engine the build pipeline needs. Every
 * container and volume carries the labels it was made with, so orphans of a
 * crashed worker can be found and removed.
 */
export interface ContainerClient {
  ping(): Promise<void>;
  /** ID of a local image, or undefined if absent */
  imageId(ref: string): Promise<string | undefined>;
  /** a volume of at most `bytes` when the engine can bound it; `bounded` says whether it did */
  createVolume(name: string, labels: Record<string, string>, bytes?: number): Promise<{ bounded: boolean; why?: string }>;
  removeVolume(name: string): Promise<void>;
  create(spec: BuildContainerSpec): Promise<string>;
  /** extract a tar stream at `path` (inside the volume) */
  putArchive(id: string, path: string, tar: Readable): Promise<void>;
  start(id: string): Promise<void>;
  /** stdout and stderr lines, from the start until the container exits */
  logLines(id: string): AsyncIterable<string>;
  /** resolves with the exit code */
  wait(id: string): Promise<number>;
  kill(id: string): Promise<void>;
  /** tar stream of `path` */
  getArchive(id: string, path: string): Promise<Readable>;
  remove(id: string): Promise<void>;
  /** remove containers and volumes whose labels include all of `labels` (volumes still in use are listed, not removed) */
  reap(labels: Record<string, string>): Promise<{ containers: number; volumes: number; inUse: string[] }>;
  /**
   * remove every kpython container and volume whose deadline label (epoch ms)
   * has passed, whoever started it: a build past its deadline is dead anyway
   */
  reapExpired(now: number): Promise<{ containers: number; volumes: number }>;
}

export const LABEL_APP = 'org.kpython.app';
export const LABEL_BUILD = 'org.kpython.build';
export const LABEL_WORKER = 'org.kpython.worker';
export const LABEL_RUN = 'org.kpython.run';
/** epoch ms after which the container is dead by its own timeout and any worker may remove it */
export const LABEL_DEADLINE = 'org.kpython.deadline';
/** the file behind a size-bounded volume (loop-volume.ts), removed with it */
export const LABEL_BACKING = 'org.kpython.backing-file';
