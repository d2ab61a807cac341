import type { ApiClient } from '../api-client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { followBuild } from '../progress.js';

export async function buildCommand(api: ApiClient, o: { kernel: string; version?: string; force: boolean; wait: boolean }): Promise<number> {
  const build = await api.submit({ kernel: o.kernel, force: o.force, ...(o.version ? { version: o.version } : {}) });
  process.stdout.write(`${build.id} ${build.state}\n`);
  if (!o.wait || build.state === 'succeeded') return EXIT.OK;
  const done = await followBuild(api, build.id, { printLines: false });
  if (done.state !== 'succeeded') {
    throw new CliError(`build ${done.id} failed: ${done.error?.code}: ${done.error?.message}`, EXIT.BUILD_FAILED);
  }
  for (const a of done.artifacts) process.stdout.write(`${a.name} sha256:${a.sha256} ${new URL(a.url, api.base).href}\n`);
  return EXIT.OK;
}
