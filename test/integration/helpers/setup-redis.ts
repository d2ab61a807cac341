import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRedisUrl } from '../../../lib/config.js';

const REPO_DATA = join(resolve(fileURLToPath(new URL('../../../../', import.meta.url))), 'data');

/**
 * The URL of the Redis that `npm run setup` started, with the password it
 * made (data/redis.password) when it made one; KPY_REDIS_URL overrides.
 * Every test and bench that talks to the shared Redis takes its URL from
 * here, so none of them assumes a Redis without a password.
 */
export function setupRedisUrl(): Promise<string> {
  return process.env.KPY_REDIS_URL ? Promise.resolve(process.env.KPY_REDIS_URL) : defaultRedisUrl(REPO_DATA);
}
