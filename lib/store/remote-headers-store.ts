import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadersStore } from '../headers/headers-store.js';
import type { UploadedHeaders } from '../headers/headers-meta.js';
import { KpyError } from '../errors.js';
import { sha256File } from '../sha256.js';
import type { ObjectStore } from './object-store.js';
import { blobKey } from './remote-artifact-store.js';

/**
 * Uploaded headers shared through the object store, cached on each
 * machine's disk by content address: the API that validated an upload
 * writes `headers.tar` as a blob (its id is its sha256) and then
 * `headers/<id>.json`, the meta that publishes it; a worker that never saw
 * the upload finds the meta, downloads the blob, checks its digest against
 * the id and commits both into its local store, where the pipeline reads
 * them as before.
 */
export class RemoteHeadersStore extends HeadersStore {
  constructor(
    root: string,
    private readonly objects: ObjectStore,
  ) {
    super(root);
  }

  override async get(id: string): Promise<UploadedHeaders | undefined> {
    const local = await this.getLocal(id);
    if (local || !/^[0-9a-f]{64}$/.test(id)) return local;
    // One download per id, however many builds of it start at once.
    let pending = this.fetching.get(id);
    if (!pending) {
      pending = this.fetch(id).finally(() => this.fetching.delete(id));
      this.fetching.set(id, pending);
    }
    return pending;
  }

  private readonly fetching = new Map<string, Promise<UploadedHeaders | undefined>>();

  private async fetch(id: string): Promise<UploadedHeaders | undefined> {
    const body = await this.objects.get(`headers/${id}.json`);
    if (!body) return undefined;
    const meta = JSON.parse(body.toString('utf8')) as UploadedHeaders;
    if (meta.id !== id) throw new KpyError('STORE_UNAVAILABLE', `${this.objects.description}: headers/${id}.json names ${meta.id}`);
    const scratch = await this.scratch();
    try {
      const tar = join(scratch, 'headers.tar');
      if (!(await this.objects.getToFile(blobKey(id), tar))) {
        throw new KpyError('STORE_UNAVAILABLE', `${this.objects.description}: headers ${id} are published but their tar is missing`);
      }
      const got = await sha256File(tar);
      if (got.sha256 !== id) throw new KpyError('STORE_UNAVAILABLE', `${this.objects.description}: headers ${id} downloaded with sha256 ${got.sha256}`);
      await this.commitLocal(tar, meta);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return this.getLocal(id);
  }

  /** Local commit first (the upload's answer needs it), then the shared copy: tar, then the meta that publishes it. */
  override async commit(tarFile: string, meta: UploadedHeaders): Promise<boolean> {
    const created = await this.commitLocal(tarFile, meta);
    if (!(await this.objects.exists(`headers/${meta.id}.json`))) {
      await this.objects.putFile(blobKey(meta.id), this.tarPath(meta.id), meta.tarBytes);
      await this.objects.put(`headers/${meta.id}.json`, Buffer.from(`${JSON.stringify(meta, null, 2)}\n`));
    }
    return created;
  }

  private commitLocal(tarFile: string, meta: UploadedHeaders): Promise<boolean> {
    return super.commit(tarFile, meta);
  }

  override async ids(): Promise<string[]> {
    const local = new Set(await super.ids());
    for (const k of await this.objects.list('headers/')) {
      const m = /^headers\/([0-9a-f]{64})\.json$/.exec(k);
      if (m?.[1]) local.add(m[1]);
    }
    return [...local].sort();
  }
}
