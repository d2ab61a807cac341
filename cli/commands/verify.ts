import { readFile } from 'node:fs/promises';
import type { Check } from '../../lib/verify-artifacts.js';
import { verifyArtifacts } from '../../lib/verify-artifacts.js';
import type { ApiClient } from '../api-client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { loadVerifyKeys } from '../verify-keys.js';

export function printChecks(checks: Check[]): void {
  for (const c of checks) process.stderr.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
}

/**
 * Verify FILE with FILE.sig and FILE.provenance.json beside it (or given),
 * against keys from files or, by default, from the service. A module built
 * from uploaded headers is refused unless `allowUploaded`.
 */
export async function verifyCommand(
  api: ApiClient,
  o: { file: string; sig?: string; provenance?: string; key?: string; cert?: string; uploadKey?: string; uploadCert?: string; allowUploaded?: boolean },
): Promise<number> {
  const read = (p: string) => readFile(p).catch(() => undefined);
  const module = await read(o.file);
  if (!module) throw new CliError(`cannot read ${o.file}`, EXIT.USAGE);
  const signature = await read(o.sig ?? `${o.file}.sig`);
  const provenance = await read(o.provenance ?? `${o.file}.provenance.json`);
  const keys = await loadVerifyKeys(api, o);
  const report = await verifyArtifacts({
    module,
    ...(signature ? { signature } : {}),
    ...(provenance ? { provenance } : {}),
    ...keys,
    allowUploaded: o.allowUploaded ?? false,
  });
  printChecks(report.checks);
  if (!report.ok) throw new CliError(`${o.file}: verification failed`, EXIT.VERIFY_FAILED);
  process.stdout.write(`${o.file}: verified${report.trust === 'uploaded' ? ' (uploaded headers: not an archive build)' : ''}\n`);
  return EXIT.OK;
}
