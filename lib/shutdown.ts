import type { Logger } from './logger.js';

/**
 * Two-stage shutdown: the first SIGINT/SIGTERM runs `close` (graceful); a
 * second signal, or the deadline passing, forces exit.
 */
export function onShutdown(log: Logger, close: () => Promise<void>, deadlineMs = 30_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal, deadlineMs }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('graceful shutdown exceeded its deadline: exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
