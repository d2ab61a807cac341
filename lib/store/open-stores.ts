import { join } from 'node:path';
import { ArtifactStore } from '../artifact-store.js';
import type { Config } from '../config.js';
import { HeadersStore } from '../headers/headers-store.js';
import type { BuildStore } from './build-store.js';
import { RemoteArtifactStore } from './remote-artifact-store.js';
import { RemoteHeadersStore } from './remote-headers-store.js';

export interface Stores {
  store: BuildStore;
  headers: HeadersStore;
  /** what the stores stand on, for messages: `data directory` or `s3://bucket at ...` */
  description: string;
  close(): void;
}

/**
 * The stores a process uses, by configuration: the data directory (one
 * machine), or one S3 bucket shared by every API and worker process, with
 * this process's data directory as a local cache of what it read.
 */
export async function openStores(config: Pick<Config, 'store' | 'dataDir'>): Promise<Stores> {
  const headersDir = join(config.dataDir, 'headers');
  if (config.store.kind === 'fs') {
    return { store: new ArtifactStore(config.dataDir), headers: new HeadersStore(headersDir), description: `data directory ${config.dataDir}`, close() {} };
  }
  const { kind: _kind, ...s3 } = config.store;
  // Loaded only here: the AWS SDK is hundreds of modules a one-machine service never needs.
  const { S3ObjectStore } = await import('./s3-object-store.js');
  const objects = new S3ObjectStore(s3);
  await objects.ensureBucket();
  return {
    store: new RemoteArtifactStore(objects, join(config.dataDir, 'store-cache')),
    headers: new RemoteHeadersStore(headersDir, objects),
    description: objects.description,
    close: () => objects.close(),
  };
}
