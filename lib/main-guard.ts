import { ConfigError } from './config.js';
import { KpyError } from './errors.js';

/** Run a process entry point; configuration and startup errors print plainly and exit 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError || err instanceof KpyError) {
      process.stderr.write(`kpython: ${err instanceof KpyError ? `${err.code}: ` : ''}${err.message}\n`);
    } else {
      process.stderr.write(`kpython: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exit(1);
  });
}
