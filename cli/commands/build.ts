import type { ApiClient } from '../api-client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { buildJson, printJson } from '../json-output.js';
import { followBuild } from '../progress.js';

export async function buildCommand(api: ApiClient, o: { kernel: string; version?: string; force: boolean; wait: boolean; json: boolean }): Promise<number> {
  const build = await api.submit({ kernel: o.kernel, force: o.force, ...(o.version ? { version: o.version } : {}) });
  if (!o.json) process.stdout.write(`${build.id} ${build.state}\n`);
  if (!o.wait || build.state === 'succeeded') {
    if (o.json) printJson(buildJson(build, api.base, true));
    return EXIT.OK;
  }
  const done = await followBuild(api, build.id, { printLines: false, json: o.json });
  if (o.json) {
    printJson(buildJson(done, api.base, done.state === 'succeeded'));
    return done.state === 'succeeded' ? EXIT.OK : EXIT.BUILD_FAILED;
  }
  if (done.state !== 'succeeded') {
    throw new CliError(`build ${done.id} failed: ${done.error?.code}: ${done.error?.message}`, EXIT.BUILD_FAILED);
  }
  for (const a of done.artifacts) process.stdout.write(`${a.name} sha256:${a.sha256} ${new URL(a.url, api.base).href}\n`);
  return EXIT.OK;
}
