import type { BuildMeta } from '../artifact-store.js';

/**
 * Where published builds and failure logs live: the local directory
 * (ArtifactStore, the embedded default) or a bucket shared by every API and
 * worker process (RemoteArtifactStore over S3). Both publish a build by
 * writing its meta last, so a reader sees a whole build or none, and both
 * take a second commit of a published key as a no-op that answers with the
 * published meta.
 */
export interface BuildStore {
  /**
   * How long a just-published meta may still be replaced by a concurrent
   * publish of the same key: 0 where a second commit is a no-op (the local
   * directory), the race window where the last writer stays (a bucket).
   */
  readonly settleMs: number;
  meta(key: string): Promise<BuildMeta | undefined>;
  /** every published build (for the apt repository's indexes) */
  list(): Promise<BuildMeta[]>;
  has(key: string): Promise<boolean>;
  /**
   * A local file holding a stored artifact (or a failed build's log), if
   * present. `sha256` is the digest in the meta the caller holds: while a
   * bucket's meta may still be replaced (settleMs), the file is the one with
   * those bytes, not the newer meta's.
   */
  path(key: string, name: string, sha256?: string): Promise<string | undefined>;
  commit(key: string, files: Map<string, Buffer>, meta: Omit<BuildMeta, 'artifacts'>): Promise<BuildMeta>;
  commitFailure(key: string, log: Buffer, failure: unknown): Promise<void>;
  /** remove what crashed commits left, at start */
  sweep(): Promise<{ removed: string[] }>;
}
