import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** The one root logger; everything else takes a child of it. */
export function createLogger(level: string, name = 'kpython'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
