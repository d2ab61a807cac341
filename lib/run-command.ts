import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run a host tool with optional stdin, collecting its output (never through a shell). */
export function runCommand(cmd: string, args: readonly string[], input?: Buffer | string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
