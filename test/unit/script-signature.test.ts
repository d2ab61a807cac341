import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCommand } from '../../lib/run-command.js';
import { MODULE_SIG_MAGIC, parseModuleSignature, verifyModuleSignature } from '../../lib/signing/module-signature.js';
import { isSignedScript, signScript } from '../../lib/signing/script-signature.js';

// The kernel's own signer, from Debian's linux-kbuild (installed with the
// headers the VM tier builds against).
function findSignFile(): string | undefined {
  const base = '/usr/lib';
  const dirs = existsSync(base) ? readdirSync(base).filter((d) => d.startsWith('linux-kbuild-')).sort() : [];
  for (const d of dirs.reverse()) {
    const p = join(base, d, 'scripts', 'sign-file');
    if (existsSync(p)) return p;
  }
  return undefined;
}

let dir: string;
let key: string;
let cert: string;
let certDer: string;
const script = Buffer.from('print("signed hello")\nfor i in range(3):\n    print(i)\n');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kpy-script-sig-'));
  key = join(dir, 'key.pem');
  cert = join(dir, 'cert.pem');
  certDer = join(dir, 'cert.der');
  const r = await runCommand('openssl', [
    'req', '-new', '-x509', '-nodes', '-newkey', 'rsa:2048', '-sha256', '-days', '1',
    '-subj', '/CN=kpython script signing test', '-keyout', key, '-out', cert,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const d = await runCommand('openssl', ['x509', '-in', cert, '-outform', 'DER', '-out', certDer]);
  assert.equal(d.code, 0, d.stderr);
});
after(() => rm(dir, { recursive: true, force: true }));

test('sign-script writes the appended-signature format and verifies', async () => {
  const signed = await signScript(script, key, cert);
  assert.equal(signed.subarray(signed.length - MODULE_SIG_MAGIC.length).toString(), MODULE_SIG_MAGIC);
  const parts = parseModuleSignature(signed);
  assert.ok(parts);
  assert.ok(parts.unsigned.equals(script), 'the script bytes come first, unchanged');
  assert.ok(await verifyModuleSignature(signed, cert));
  // A DER certificate (what the service serves for mokutil) signs the same.
  assert.ok((await signScript(script, key, certDer)).equals(signed));
  assert.ok(isSignedScript(signed));
  assert.ok(!isSignedScript(script));
  await assert.rejects(signScript(signed, key, cert), /already signed/);
  const tampered = Buffer.concat([Buffer.from('print("tampered")\n'), signed.subarray(script.length)]);
  assert.equal(await verifyModuleSignature(tampered, cert), false);
});

test("the kernel's scripts/sign-file and sign-script produce the same bytes", async (t) => {
  const signFile = findSignFile();
  if (!signFile) {
    t.skip('no /usr/lib/linux-kbuild-*/scripts/sign-file (apt-get install linux-headers-amd64)');
    return;
  }
  const input = join(dir, 'script.py');
  const output = join(dir, 'script.py.sign-file');
  await writeFile(input, script);
  const r = await runCommand(signFile, ['sha256', key, cert, input, output]);
  assert.equal(r.code, 0, r.stderr);
  const theirs = await readFile(output);
  assert.ok(await verifyModuleSignature(theirs, cert), 'sign-file output verifies');
  const ours = await signScript(script, key, cert);
  // RSA PKCS#1 v1.5 is deterministic and both write a detached CMS without
  // signed attributes, certificates or S/MIME capabilities.
  assert.equal(ours.toString('hex'), theirs.toString('hex'));
});

test('the CLI signs a file (kpython sign-script)', async () => {
  const input = join(dir, 'cli.py');
  await writeFile(input, script);
  const cli = join(process.cwd(), 'dist', 'cli', 'main.js');
  const r = await runCommand(process.execPath, [cli, 'sign-script', '--key', key, '--cert', cert, input]);
  assert.equal(r.code, 0, r.stderr);
  const signed = await readFile(`${input}.signed`);
  assert.ok(await verifyModuleSignature(signed, cert));
  const usage = await runCommand(process.execPath, [cli, 'sign-script', input]);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /--key and --cert are required/);
  const again = await runCommand(process.execPath, [cli, 'sign-script', '--key', key, '--cert', cert, `${input}.signed`, '-o', join(dir, 'x')]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already signed/);
});
