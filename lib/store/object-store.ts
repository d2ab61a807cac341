/**
 * Where a shared store keeps its bytes: flat keys, whole objects. A put is
 * atomic for readers (they see the old object, none, or the whole new one:
 * true of S3 and of a rename on one filesystem), which is all the artifact
 * and headers stores above it need: they write content-addressed blobs
 * first and the small reference that publishes them last.
 */
export interface ObjectStore {
  /** for messages and metrics: `s3://bucket` */
  readonly description: string;
  put(key: string, body: Buffer): Promise<void>;
  /** a large object from a local file, streamed */
  putFile(key: string, path: string, size: number): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  /** download into `path` (written beside it, renamed into place); false when absent */
  getToFile(key: string, path: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** keys under a prefix, in key order */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}
