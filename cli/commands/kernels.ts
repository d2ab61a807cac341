import type { ApiClient } from '../api-client.js';
import { EXIT } from '../exit-codes.js';

interface Kernels {
  kernels: { release: string; built: boolean; versions: { version: string; suite: string }[] }[];
}

export async function kernelsCommand(api: ApiClient, o: { json: boolean }): Promise<number> {
  const k = await api.json<Kernels>('/v1/kernels');
  if (o.json) {
    process.stdout.write(`${JSON.stringify(k, null, 2)}\n`);
    return EXIT.OK;
  }
  for (const x of k.kernels) {
    const v = x.versions[0];
    process.stdout.write(`${x.release.padEnd(34)} ${(v?.version ?? '').padEnd(22)} ${(v?.suite ?? '').padEnd(18)} ${x.built ? 'built' : ''}\n`);
  }
  return EXIT.OK;
}
