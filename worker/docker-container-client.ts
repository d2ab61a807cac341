import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { KpyError } from '../lib/errors.js';
import { boundedLines } from './bounded-lines.js';
import { MAX_LINE } from './build-log.js';
import { LABEL_APP, LABEL_BACKING, LABEL_DEADLINE, type BuildContainerSpec, type ContainerClient } from './container-client.js';
import { createLoopVolume, removeLoopVolume } from './loop-volume.js';

/**
 * ContainerClient over the Docker Engine API (dockerode). Containers run with
 * no network, all capabilities dropped, no new privileges, a read-only root,
 * memory / pids / CPU limits, and are labelled for cleanup.
 */
export class DockerContainerClient implements ContainerClient {
  private readonly docker: Docker;

  /** where the files behind size-bounded volumes live */
  private readonly volumeDir: string;

  constructor(socketPath: string, opts: { volumeDir?: string } = {}) {
    this.docker = new Docker({ socketPath });
    this.volumeDir = opts.volumeDir ?? join(tmpdir(), 'kpython-volumes');
  }

  async ping(): Promise<void> {
    await wrap('ping', () => this.docker.ping());
  }

  async imageId(ref: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(ref).inspect()).Id;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw containerError('image inspect', err);
    }
  }

  async createVolume(name: string, labels: Record<string, string>, bytes?: number): Promise<{ bounded: boolean; why?: string }> {
    if (bytes) {
      let loop: { device: string; file: string } | undefined;
      try {
        loop = await createLoopVolume(this.volumeDir, name, bytes);
      } catch (err) {
        // No loop devices here (not root, a container): the volume is bounded only by the disk.
        await wrap('volume create', () => this.docker.createVolume({ Name: name, Labels: labels }));
        return { bounded: false, why: (err as Error).message };
      }
      const { device, file } = loop;
      try {
        await wrap('volume create', () =>
          this.docker.createVolume({
            Name: name,
            Labels: { ...labels, [LABEL_BACKING]: file },
            DriverOpts: { type: 'ext4', device, o: 'nodev,nosuid' },
          }),
        );
      } catch (err) {
        await removeLoopVolume(file);
        throw err;
      }
      return { bounded: true };
    }
    await wrap('volume create', () => this.docker.createVolume({ Name: name, Labels: labels }));
    return { bounded: false, why: 'no size asked for' };
  }

  async removeVolume(name: string): Promise<void> {
    let backing: string | undefined;
    try {
      const v = await this.docker.getVolume(name).inspect();
      backing = v.Labels?.[LABEL_BACKING];
      await this.docker.getVolume(name).remove({ force: true });
    } catch (err) {
      if (statusOf(err) !== 404) throw containerError('volume remove', err);
    }
    if (backing) await removeLoopVolume(backing);
  }

  async create(spec: BuildContainerSpec): Promise<string> {
    const c = await wrap('create', () =>
      this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Cmd: spec.cmd,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        WorkingDir: spec.workDir,
        Labels: spec.labels,
        NetworkDisabled: true,
        AttachStdin: false,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        HostConfig: {
          NetworkMode: 'none',
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          ReadonlyRootfs: true,
          Privileged: false,
          // No docker-init: the command's `timeout` is PID 1, which the build cannot kill.
          Init: false,
          Mounts: [
            { Type: 'volume', Source: spec.volume, Target: spec.workDir, ReadOnly: false },
            ...(spec.binds ?? []).map((b) => ({ Type: 'bind' as const, Source: b.source, Target: b.target, ReadOnly: b.readOnly })),
          ],
          Tmpfs: Object.fromEntries(
            Object.entries(spec.tmpfs).map(([path, size]) => [path, `rw,exec,nosuid,nodev,size=${size}`]),
          ),
          Memory: spec.memoryBytes,
          MemorySwap: spec.memoryBytes,
          PidsLimit: spec.pids,
          NanoCpus: Math.round(spec.cpus * 1e9),
          LogConfig: { Type: 'json-file', Config: { 'max-size': '50m' } },
          AutoRemove: false,
        },
      }),
    );
    return c.id;
  }

  async putArchive(id: string, path: string, tar: Readable): Promise<void> {
    await wrap('put archive', () => this.docker.getContainer(id).putArchive(tar, { path }));
  }

  async start(id: string): Promise<void> {
    await wrap('start', () => this.docker.getContainer(id).start());
  }

  async *logLines(id: string): AsyncIterable<string> {
    const raw = (await wrap('logs', () =>
      this.docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true }),
    )) as unknown as Readable;
    const merged = new PassThrough();
    this.docker.modem.demuxStream(raw, merged, merged);
    raw.on('end', () => merged.end());
    raw.on('error', (err) => merged.destroy(err));
    // Cut long lines while reading: readline would buffer a line without end whole.
    yield* boundedLines(merged, MAX_LINE);
  }

  async wait(id: string): Promise<number> {
    const r = (await wrap('wait', () => this.docker.getContainer(id).wait())) as { StatusCode: number };
    return r.StatusCode;
  }

  async kill(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal: 'SIGKILL' });
    } catch (err) {
      const s = statusOf(err);
      if (s !== 404 && s !== 409) throw containerError('kill', err);
    }
  }

  async getArchive(id: string, path: string): Promise<Readable> {
    return (await wrap('get archive', () => this.docker.getContainer(id).getArchive({ path }))) as unknown as Readable;
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      // 409: a removal is already under way (a reaper and the pipeline's cleanup racing)
      if (statusOf(err) !== 404 && statusOf(err) !== 409) throw containerError('remove', err);
    }
  }

  async reap(labels: Record<string, string>): Promise<{ containers: number; volumes: number; inUse: string[] }> {
    const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const containers = await wrap('list', () => this.docker.listContainers({ all: true, filters: { label } }));
    for (const c of containers) await this.remove(c.Id);
    const { Volumes } = await wrap('volume list', () => this.docker.listVolumes({ filters: { label } }));
    const inUse: string[] = [];
    let volumes = 0;
    for (const v of Volumes ?? []) {
      try {
        await this.docker.getVolume(v.Name).remove({ force: true });
        const backing = v.Labels?.[LABEL_BACKING];
        if (backing) await removeLoopVolume(backing);
        volumes++;
      } catch (err) {
        // A volume still mounted by a container outside the selection stays.
        if (statusOf(err) === 409) inUse.push(v.Name);
        else if (statusOf(err) !== 404) throw containerError('volume remove', err);
      }
    }
    return { containers: containers.length, volumes, inUse };
  }

  async reapExpired(now: number): Promise<{ containers: number; volumes: number }> {
    const label = [`${LABEL_APP}=kpython`, LABEL_DEADLINE];
    const past = (labels: Record<string, string> | undefined) => {
      const at = Number(labels?.[LABEL_DEADLINE]);
      return Number.isFinite(at) && at > 0 && at < now;
    };
    const containers = (await wrap('list', () => this.docker.listContainers({ all: true, filters: { label } }))).filter((c) => past(c.Labels));
    for (const c of containers) await this.remove(c.Id);
    const { Volumes } = await wrap('volume list', () => this.docker.listVolumes({ filters: { label } }));
    let volumes = 0;
    for (const v of (Volumes ?? []).filter((x) => past(x.Labels ?? undefined))) {
      try {
        await this.docker.getVolume(v.Name).remove({ force: true });
        volumes++;
      } catch (err) {
        if (statusOf(err) !== 404 && statusOf(err) !== 409) throw containerError('volume remove', err);
      }
    }
    return { containers: containers.length, volumes };
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

function containerError(op: string, err: unknown): KpyError {
  const msg = (err as { json?: { message?: string } })?.json?.message ?? (err as Error)?.message ?? String(err);
  return new KpyError('CONTAINER_FAILED', `docker ${op}: ${msg}`, { cause: err });
}

async function wrap<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw containerError(op, err);
  }
}
