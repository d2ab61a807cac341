import type { Logger } from './logger.js';

/**
 * The one policy of both processes for errors nobody awaited: log them (with
 * the stack) and keep serving. Such an error comes from a request or a build
 * whose own handler already failed it (or should have: each such site is a
 * bug to fix where it happens); taking the process down would fail every
 * other request and build with it, and let any client or build container
 * stop the service. `counter` lets /metrics show how often it happens.
 */
export function installCrashPolicy(log: Logger, counter?: { inc(labels: { kind: string }): void }): void {
  process.on('unhandledRejection', (reason) => {
    counter?.inc({ kind: 'unhandledRejection' });
    log.error({ err: reason, kind: 'unhandledRejection' }, 'a promise rejected with no handler; the process keeps running');
  });
  process.on('uncaughtException', (err, origin) => {
    counter?.inc({ kind: origin });
    log.error({ err, kind: origin }, 'an exception reached the event loop; the process keeps running');
  });
}
