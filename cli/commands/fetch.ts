import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { verifyArtifacts } from '../../lib/verify-artifacts.js';
import type { ApiClient, BuildView } from '../api-client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { followBuild } from '../progress.js';
import { uploadHeaders } from './upload-headers.js';
import { loadVerifyKeys } from '../verify-keys.js';
import { printChecks } from './verify.js';

/** The CI path: build if needed, wait, download the module + signature + provenance, verify. */
export async function fetchCommand(api: ApiClient, o: { kernel: string; version?: string; output: string }): Promise<number> {
  const q = o.version ? `?version=${encodeURIComponent(o.version)}` : '';
  const first = await api.request(`/v1/kernels/${encodeURIComponent(o.kernel)}/kpython.ko${q}`);
  let id = first.headers.get('x-kpython-build');
  if (first.status === 202) {
    const started = (await first.json()) as BuildView;
    id = started.id;
    process.stderr.write(`building ${o.kernel}: ${id}\n`);
    await waitSucceeded(api, id);
  } else {
    await first.body?.cancel();
  }
  if (!id) throw new CliError('the service did not name the build', EXIT.SERVICE_ERROR);
  return downloadVerified(api, id, o.output, false);
}

/** A machine with headers but no compiler: upload them, build, wait, download, verify. */
export async function fetchWithHeaders(api: ApiClient, o: { headers: string; sysroot?: string; output: string; force: boolean }): Promise<number> {
  const up = await uploadHeaders(api, { paths: [o.headers], ...(o.sysroot ? { sysroot: o.sysroot } : {}) });
  const build = await api.submit({ headers: up.id, force: o.force });
  if (build.state !== 'succeeded') {
    process.stderr.write(`building ${up.release} from ${up.id}: ${build.id}\n`);
    await waitSucceeded(api, build.id);
  }
  // The caller's own headers: an uploaded-trust build is what was asked for.
  return downloadVerified(api, build.id, o.output, true);
}

async function waitSucceeded(api: ApiClient, id: string): Promise<void> {
  const done = await followBuild(api, id, { printLines: false });
  if (done.state !== 'succeeded') {
    throw new CliError(`build ${id} failed: ${done.error?.code}: ${done.error?.message}`, EXIT.BUILD_FAILED);
  }
}

async function downloadVerified(api: ApiClient, id: string, output: string, allowUploaded: boolean): Promise<number> {
  const o = { output };
  const base = `/v1/builds/${id}/artifacts`;
  const [module, signature, provenance, keys] = await Promise.all([
    api.download(`${base}/kpython.ko`),
    api.download(`${base}/kpython.ko.sig`),
    api.download(`${base}/provenance.json`),
    loadVerifyKeys(api, {}),
  ]);
  const report = await verifyArtifacts({ module, signature, provenance, ...keys, allowUploaded });
  printChecks(report.checks);
  if (!report.ok) throw new CliError('verification failed; nothing written', EXIT.VERIFY_FAILED);
  const out = resolve(o.output);
  await writeAtomic(out, module);
  await writeAtomic(`${out}.sig`, signature);
  await writeAtomic(`${out}.provenance.json`, provenance);
  process.stdout.write(`${out}\n`);
  return EXIT.OK;
}

async function writeAtomic(path: string, data: Buffer): Promise<void> {
  await writeFile(`${path}.part`, data);
  await rename(`${path}.part`, path);
}
