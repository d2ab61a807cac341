import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { KpyError } from '../../lib/errors.js';
import { signScript } from '../../lib/signing/script-signature.js';
import { CliError, EXIT } from '../exit-codes.js';

/**
 * `kpython sign-script --key K --cert C FILE [-o OUT]`: sign a script
 * offline for kernels that require signed scripts (lockdown, Secure Boot).
 * Writes OUT (default FILE.signed), which the target client runs as is.
 */
export async function signScriptCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      cert: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new CliError('sign-script: exactly one FILE is required', EXIT.USAGE);
  if (!values.key || !values.cert) throw new CliError('sign-script: --key and --cert are required', EXIT.USAGE);
  const script = await readFile(file).catch(() => undefined);
  if (!script) throw new CliError(`cannot read ${file}`, EXIT.USAGE);
  const output = values.output ?? `${file}.signed`;
  let signed: Buffer;
  try {
    signed = await signScript(script, values.key, values.cert);
  } catch (e) {
    if (e instanceof KpyError) throw new CliError(`sign-script: ${e.message}`, EXIT.USAGE);
    throw e;
  }
  await writeFile(output, signed);
  process.stderr.write(`${output}: signed (${script.length} bytes of script, ${signed.length - script.length} of signature)\n`);
  return EXIT.OK;
}
