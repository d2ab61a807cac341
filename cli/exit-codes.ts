/** Exit codes of the `kpython` command, documented in README and `kpython --help`. */
export const EXIT = {
  OK: 0,
  USAGE: 1,
  BUILD_FAILED: 2,
  VERIFY_FAILED: 3,
  SERVICE_ERROR: 4,
  NOT_FOUND: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
