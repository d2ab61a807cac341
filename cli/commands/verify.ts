import { readFile } from 'node:fs/promises';
import type { Check } from '../../lib/verify-artifacts.js';
import { verifyArtifacts } from '../../lib/verify-artifacts.js';
import type { ApiClient } from '../api-client.js';
import { CliError, EXIT } from '../exit-codes.js';

export function printChecks(checks: Check[]): void {
  for (const c of checks) process.stderr.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
}

/**
 * Verify FILE with FILE.sig and FILE.provenance.json beside it (or given),
 * against keys from files or, by default, from the service.
 */
export async function verifyCommand(
  api: ApiClient,
  o: { file: string; sig?: string; provenance?: string; key?: string; cert?: string },
): Promise<number> {
  const read = (p: string) => readFile(p).catch(() => undefined);
  const module = await read(o.file);
  if (!module) throw new CliError(`cannot read ${o.file}`, EXIT.USAGE);
  const signature = await read(o.sig ?? `${o.file}.sig`);
  const provenance = await read(o.provenance ?? `${o.file}.provenance.json`);
  const pub = o.key ? await readFile(o.key, 'utf8') : (await api.download('/v1/keys/artifact-signing.pem')).toString();
  const cert = o.cert ? await readFile(o.cert, 'utf8') : (await api.download('/v1/keys/module-signing.pem')).toString();
  const report = await verifyArtifacts({
    module,
    ...(signature ? { signature } : {}),
    ...(provenance ? { provenance } : {}),
    artifactPublicPem: pub,
    moduleCertPem: cert,
  });
  printChecks(report.checks);
  if (!report.ok) throw new CliError(`${o.file}: verification failed`, EXIT.VERIFY_FAILED);
  process.stdout.write(`${o.file}: verified\n`);
  return EXIT.OK;
}
