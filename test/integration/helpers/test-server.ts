import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApiServer } from '../../../server/app.js';
import type { TestEnv } from './test-core.js';

/** The real API server of a test env, listening on 127.0.0.1 at a free port. */
export async function listen(env: TestEnv): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createApiServer({
    core: env.core,
    ...(env.worker ? { readiness: [{ name: 'docker', check: () => (env.worker as NonNullable<TestEnv['worker']>).containers.ping() }] } : {}),
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Read a whole SSE response into its events. */
export async function readSse(res: Response): Promise<{ event: string; data: string }[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return { event, data };
    })
    .filter((e) => e.event);
}
