import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../../lib/sha256.js';
import type { Check } from '../../lib/verify-artifacts.js';
import { verifyArtifacts } from '../../lib/verify-artifacts.js';
import { looksLikeDeb, verifyDeb } from '../../lib/verify-deb.js';
import type { ApiClient } from '../api-client.js';
import { CliError, EXIT } from '../exit-codes.js';
import { printJson } from '../json-output.js';
import { loadVerifyKeys } from '../verify-keys.js';

export function printChecks(checks: Check[]): void {
  for (const c of checks) process.stderr.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
}

/**
 * Verify FILE with FILE.sig and FILE.provenance.json beside it (or given),
 * against keys from files or, by default, from the service. FILE is a
 * module, or a .deb of a build (detached signature over its bytes, its
 * digest in the provenance). A build from uploaded headers is refused
 * unless `allowUploaded`.
 */
export async function verifyCommand(
  api: ApiClient,
  o: { file: string; sig?: string; provenance?: string; key?: string; cert?: string; uploadKey?: string; uploadCert?: string; allowUploaded?: boolean; json?: boolean },
): Promise<number> {
  const read = (p: string) => readFile(p).catch(() => undefined);
  const data = await read(o.file);
  if (!data) throw new CliError(`cannot read ${o.file}`, EXIT.USAGE);
  const signature = await read(o.sig ?? `${o.file}.sig`);
  const provenance = await read(o.provenance ?? `${o.file}.provenance.json`);
  const keys = await loadVerifyKeys(api, o);
  const given = { ...(signature ? { signature } : {}), ...(provenance ? { provenance } : {}), ...keys, allowUploaded: o.allowUploaded ?? false };
  const kind = o.file.endsWith('.deb') || looksLikeDeb(data) ? 'deb' : 'module';
  const report = kind === 'deb' ? verifyDeb({ deb: data, ...given }) : await verifyArtifacts({ module: data, ...given });
  printChecks(report.checks);
  if (o.json) {
    printJson({ ok: report.ok, command: 'verify', file: o.file, kind, sha256: sha256Hex(data), trust: report.trust ?? null, checks: report.checks });
    return report.ok ? EXIT.OK : EXIT.VERIFY_FAILED;
  }
  if (!report.ok) throw new CliError(`${o.file}: verification failed`, EXIT.VERIFY_FAILED);
  process.stdout.write(`${o.file}: verified${report.trust === 'uploaded' ? ' (uploaded headers: not an archive build)' : ''}\n`);
  return EXIT.OK;
}
