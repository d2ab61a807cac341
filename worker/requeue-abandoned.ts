import type { BuildQueue } from '../lib/build-queue.js';
import type { BuildRecords } from '../lib/build-records.js';
import type { Logger } from '../lib/logger.js';

/**
 * After taking over the lease of a dead worker with our id, the builds it
 * was running are active jobs whose lock only expires later, and BullMQ's
 * stall check needs one more pass after that: a minute or more. Their
 * records name the worker id that last started them; if that is ours, the
 * dead predecessor was the last to run them (a live worker that picked one
 * up since would have written its own id), so we hand them back to the
 * queue at once with the lock's own token.
 */
export async function requeueAbandoned(queue: BuildQueue, records: BuildRecords, workerId: string, log: Logger): Promise<string[]> {
  const moved: string[] = [];
  for (const job of await queue.getActive()) {
    if (!job.id || (await records.get(job.id))?.worker !== workerId) continue;
    const token = await (await queue.client).get(`${queue.toKey(job.id)}:lock`);
    if (!token) continue; // already expired: the stall check takes it
    try {
      await job.moveToWait(token);
      moved.push(job.id);
    } catch (err) {
      log.warn({ err, buildId: job.id }, 'cannot hand an abandoned build back to the queue');
    }
  }
  return moved;
}
