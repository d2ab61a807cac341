#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ApiClient } from './api-client.js';
import { buildCommand } from './commands/build.js';
import { fetchCommand, fetchWithHeaders } from './commands/fetch.js';
import { kernelsCommand } from './commands/kernels.js';
import { logCommand } from './commands/log.js';
import { uploadHeadersCommand } from './commands/upload-headers.js';
import { verifyCommand } from './commands/verify.js';
import { signScriptCommand } from './commands/sign-script.js';
import { CliError, EXIT } from './exit-codes.js';
import { errorJson, printJson } from './json-output.js';

const HELP = `kpython — client of the kpython build service

usage:
  kpython build --kernel RELEASE [--version UNAME_V] [--force] [--wait] [--json]
  kpython fetch --kernel RELEASE [--version UNAME_V] [-o kpython.ko]
                [--install [--root DIR]] [--json]
  kpython fetch --headers DIR [--sysroot ROOT] [-o kpython.ko] [--install [--root DIR]] [--json]
  kpython upload-headers [DIR | FILE.deb...] [--sysroot ROOT]
  kpython verify FILE|FILE.deb [--sig FILE.sig] [--provenance FILE.provenance.json] [--json]
                      [--key artifact-signing.pem] [--cert module-signing.pem]
                      [--allow-uploaded-headers] [--upload-key upload-artifact-signing.pem]
                      [--upload-cert upload-module-signing.pem]
  kpython log BUILD_ID [--follow]
  kpython kernels [--json]
  kpython sign-script --key KEY.pem --cert CERT.pem|.der FILE [-o FILE.signed]

upload-headers sends a kernel build directory (default: the running
kernel's, /lib/modules/$(uname -r)/build) or linux-headers .deb files and
prints the headers id; a directory under /usr/src goes up with the
directories its Makefile and links need (Debian's -common, linux-kbuild-*).
--sysroot: the headers are installed under ROOT instead of /.
fetch --headers does that, builds from them, waits, downloads and verifies.
sign-script appends a kernel module signature (the format of the kernel's
scripts/sign-file) to a script, offline: kpython.ko runs it on kernels that
require signed scripts (lockdown under Secure Boot) when the certificate is
one the kernel trusts for modules (e.g. enrolled with mokutil --import).

fetch --install puts the verified module under
/lib/modules/RELEASE/updates/kpython/ (RELEASE from its vermagic; --root DIR
installs under DIR instead of /) and runs depmod (-b DIR for a root).
verify takes a module or a build's .deb: the detached signature FILE.sig
over the file's bytes and its sha256 in the provenance are checked for both.

While a build runs, a terminal shows a progress bar on stderr; without a
terminal every log line and stage change is a plain line. --json prints one
JSON document on stdout (ok, the result, the checks; on failure ok: false
and error {message, exitCode}); logs stay on stderr.

Two trust levels: modules built from archive-verified Debian headers carry
the module-signing key's signature; modules built from uploaded headers
(whose Makefiles came from the client) never do, and verify refuses them
unless --allow-uploaded-headers (fetch --headers allows its own upload).

options: --server URL (default $KPY_URL or http://127.0.0.1:8080); a bearer
token is taken from $KPY_TOKEN.

exit codes: 0 ok, 1 usage or request refused, 2 build failed,
            3 verification failed, 4 service unreachable or failing,
            5 not found (unknown kernel or build)
`;

/** Set once the options are read: errors then go out as a JSON document on stdout too. */
let jsonMode = false;

function fail(message: string, exitCode: number): never {
  process.stderr.write(`kpython: ${message}\n`);
  if (jsonMode) printJson(errorJson(process.argv[2] ?? '', message.split('\n')[0] ?? message, exitCode));
  process.exit(exitCode);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd ? EXIT.OK : EXIT.USAGE;
  }
  // Its own options (-o has no default there); needs no service.
  if (cmd === 'sign-script') return signScriptCommand(rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      kernel: { type: 'string' },
      version: { type: 'string' },
      force: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      output: { type: 'string', short: 'o', default: 'kpython.ko' },
      sig: { type: 'string' },
      provenance: { type: 'string' },
      key: { type: 'string' },
      cert: { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      json: { type: 'boolean', default: false },
      install: { type: 'boolean', default: false },
      root: { type: 'string', default: '/' },
      headers: { type: 'string' },
      sysroot: { type: 'string' },
      'allow-uploaded-headers': { type: 'boolean', default: false },
      'upload-key': { type: 'string' },
      'upload-cert': { type: 'string' },
    },
  });
  // The CLI's only configuration: where the service is and how to authenticate.
  const api = new ApiClient(values.server ?? process.env.KPY_URL ?? 'http://127.0.0.1:8080', process.env.KPY_TOKEN);
  const kernel = () => {
    if (!values.kernel) throw new CliError(`${cmd}: --kernel RELEASE is required`, EXIT.USAGE);
    return values.kernel;
  };
  const version = values.version ? { version: values.version } : {};
  jsonMode = values.json;
  const out = { output: values.output, json: values.json, install: values.install, root: values.root };
  if (values.root !== '/' && !values.install) throw new CliError('--root goes with fetch --install', EXIT.USAGE);
  switch (cmd) {
    case 'build':
      return buildCommand(api, { kernel: kernel(), ...version, force: values.force, wait: values.wait, json: values.json });
    case 'fetch':
      if (values.headers) {
        if (values.kernel) throw new CliError('fetch: give --kernel or --headers, not both', EXIT.USAGE);
        return fetchWithHeaders(api, { headers: values.headers, ...(values.sysroot ? { sysroot: values.sysroot } : {}), force: values.force, ...out });
      }
      return fetchCommand(api, { kernel: kernel(), ...version, ...out });
    case 'upload-headers':
      return uploadHeadersCommand(api, { paths: positionals, ...(values.sysroot ? { sysroot: values.sysroot } : {}) });
    case 'verify': {
      const file = positionals[0];
      if (!file) throw new CliError('verify: FILE is required', EXIT.USAGE);
      return verifyCommand(api, {
        file,
        ...(values.sig ? { sig: values.sig } : {}),
        ...(values.provenance ? { provenance: values.provenance } : {}),
        ...(values.key ? { key: values.key } : {}),
        ...(values.cert ? { cert: values.cert } : {}),
        ...(values['upload-key'] ? { uploadKey: values['upload-key'] } : {}),
        ...(values['upload-cert'] ? { uploadCert: values['upload-cert'] } : {}),
        allowUploaded: values['allow-uploaded-headers'],
        json: values.json,
      });
    }
    case 'log': {
      const id = positionals[0];
      if (!id) throw new CliError('log: BUILD_ID is required', EXIT.USAGE);
      return logCommand(api, { id, follow: values.follow });
    }
    case 'kernels':
      return kernelsCommand(api, { json: values.json });
    default:
      throw new CliError(`unknown command ${cmd}\n\n${HELP}`, EXIT.USAGE);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CliError) fail(err.message, err.exitCode);
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') fail((err as Error).message, EXIT.USAGE);
    fail((err as Error).stack ?? String(err), EXIT.SERVICE_ERROR);
  },
);
