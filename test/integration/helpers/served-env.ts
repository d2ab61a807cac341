import { rm } from 'node:fs/promises';
import { makeStandInSources } from './stand-in-sources.js';
import { makeTestEnv, type TestEnv } from './test-core.js';
import { listen } from './test-server.js';

/** A test env over fresh stand-in sources, with its HTTP API listening. */
export interface ServedEnv {
  env: TestEnv;
  server: { url: string; close(): Promise<void> };
  /** Closes the server, cleans the env up (Redis keys, containers, data) and removes the sources. */
  close(): Promise<void>;
}

export async function startServedEnv(name: string, opts: { worker: boolean; env?: Record<string, string> }): Promise<ServedEnv> {
  const src = await makeStandInSources('ok', `${name}-${Date.now()}`);
  let env: TestEnv | undefined;
  let server: ServedEnv['server'] | undefined;
  const close = async () => {
    await server?.close();
    await env?.cleanup();
    await rm(src, { recursive: true, force: true });
  };
  try {
    env = await makeTestEnv({ sourceDir: src, worker: opts.worker, ...(opts.env ? { env: opts.env } : {}) });
    server = await listen(env);
    return { env, server, close };
  } catch (err) {
    await close();
    throw err;
  }
}
