import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readModinfo } from '../../lib/elf-modinfo.js';
import { sha256Hex } from '../../lib/sha256.js';
import { parseModuleSignature } from '../../lib/signing/module-signature.js';
import { verifyArtifacts } from '../../lib/verify-artifacts.js';
import type { ApiClient, BuildView } from '../api-client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { installModule, releaseOfVermagic } from '../install-module.js';
import { printJson, type FetchJson } from '../json-output.js';
import { followBuild } from '../progress.js';
import { uploadHeaders } from './upload-headers.js';
import { archForKernel } from '../host-arch.js';
import { loadVerifyKeys } from '../verify-keys.js';
import { printChecks } from './verify.js';

export interface FetchOutput {
  output: string;
  json: boolean;
  /** put the verified module under <root>/lib/modules/<release>/updates/kpython/ and run depmod */
  install: boolean;
  root: string;
}

/** The CI path: build if needed, wait, download the module + signature + provenance, verify (and install). */
export async function fetchCommand(api: ApiClient, o: { kernel: string; version?: string } & FetchOutput): Promise<number> {
  const params = new URLSearchParams();
  if (o.version) params.set('version', o.version);
  const arch = archForKernel(o.kernel);
  if (arch) params.set('arch', arch);
  const q = params.size ? `?${params}` : '';
  const first = await api.request(`/v1/kernels/${encodeURIComponent(o.kernel)}/kpython.ko${q}`);
  let id = first.headers.get('x-kpython-build');
  if (first.status === 202) {
    const started = (await first.json()) as BuildView;
    id = started.id;
    process.stderr.write(`building ${o.kernel}: ${id}\n`);
    await waitSucceeded(api, id, o.json);
  } else {
    await first.body?.cancel();
  }
  if (!id) throw new CliError('the service did not name the build', EXIT.SERVICE_ERROR);
  return downloadVerified(api, id, o, false);
}

/** A machine with headers but no compiler: upload them, build, wait, download, verify (and install). */
export async function fetchWithHeaders(api: ApiClient, o: { headers: string; sysroot?: string; force: boolean } & FetchOutput): Promise<number> {
  const up = await uploadHeaders(api, { paths: [o.headers], ...(o.sysroot ? { sysroot: o.sysroot } : {}) });
  const build = await api.submit({ headers: up.id, force: o.force });
  if (build.state !== 'succeeded') {
    process.stderr.write(`building ${up.release} from ${up.id}: ${build.id}\n`);
    await waitSucceeded(api, build.id, o.json);
  }
  // The caller's own headers: an uploaded-trust build is what was asked for.
  return downloadVerified(api, build.id, o, true);
}

async function waitSucceeded(api: ApiClient, id: string, json: boolean): Promise<void> {
  const done = await followBuild(api, id, { printLines: false, json });
  if (done.state !== 'succeeded') {
    throw new CliError(`build ${id} failed: ${done.error?.code}: ${done.error?.message}`, EXIT.BUILD_FAILED);
  }
}

async function downloadVerified(api: ApiClient, id: string, o: FetchOutput, allowUploaded: boolean): Promise<number> {
  const base = `/v1/builds/${id}/artifacts`;
  const [module, signature, provenance, keys, view] = await Promise.all([
    api.download(`${base}/kpython.ko`),
    api.download(`${base}/kpython.ko.sig`),
    api.download(`${base}/provenance.json`),
    loadVerifyKeys(api, {}),
    api.json<BuildView>(`/v1/builds/${id}`),
  ]);
  const report = await verifyArtifacts({ module, signature, provenance, ...keys, allowUploaded });
  printChecks(report.checks);
  const result: FetchJson = {
    ok: report.ok,
    command: 'fetch',
    build: id,
    kernel: view.kernel,
    trust: report.trust ?? null,
    sha256: sha256Hex(module),
    files: null,
    installed: null,
    checks: report.checks,
  };
  if (!report.ok) {
    if (o.json) {
      printJson(result);
      return EXIT.VERIFY_FAILED;
    }
    throw new CliError('verification failed; nothing written', EXIT.VERIFY_FAILED);
  }
  const out = resolve(o.output);
  await writeAtomic(out, module);
  await writeAtomic(`${out}.sig`, signature);
  await writeAtomic(`${out}.provenance.json`, provenance);
  result.files = { module: out, signature: `${out}.sig`, provenance: `${out}.provenance.json` };
  if (o.install) {
    const vermagic = readModinfo(parseModuleSignature(module)?.unsigned ?? module).get('vermagic')?.[0] ?? '';
    result.installed = await installModule(module, releaseOfVermagic(vermagic), o.root);
    process.stderr.write(`installed ${result.installed.path}; ran ${result.installed.depmod.join(' ')}\n`);
  }
  if (o.json) printJson(result);
  else process.stdout.write(`${result.installed?.path ?? out}\n`);
  return EXIT.OK;
}

async function writeAtomic(path: string, data: Buffer): Promise<void> {
  await writeFile(`${path}.part`, data);
  await rename(`${path}.part`, path);
}
