import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { setupRedisUrl } from './setup-redis.js';

/**
 * Integration tests need the real Redis and dockerd that `npm run setup`
 * starts. When either is missing they fail here with what to do; they never
 * skip silently.
 */
export async function requireServices(redisUrl?: string, dockerSocket = '/var/run/docker.sock'): Promise<void> {
  redisUrl ??= await setupRedisUrl();
  const problems: string[] = [];
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    problems.push(`Redis is not answering at ${redisUrl} (${(err as Error).message})`);
  } finally {
    redis.disconnect();
  }
  try {
    await new Docker({ socketPath: dockerSocket }).ping();
  } catch (err) {
    problems.push(`dockerd is not answering on ${dockerSocket} (${(err as Error).message})`);
  }
  if (problems.length) {
    throw new Error(`integration tests need real services:\n  ${problems.join('\n  ')}\nStart them with \`npm run setup\`.`);
  }
}
