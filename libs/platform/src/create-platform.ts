import type { Env } from '@jss/config';
import type { Redis } from 'ioredis';
import type { Platform } from './platform';
import { SimPlatform } from './sim/sim-platform';

/**
 * The platform the services use. The simulated vCenter is the only adapter so far; `redis` must be
 * created with keyPrefix = REDIS_PREFIX so that every process of an installation shares one inventory.
 */
export function createPlatform(redis: Redis, env: Pick<Env, 'JSS_DATA_DIR' | 'JSS_TEST_CRASH_AT'>): Platform {
  return new SimPlatform(redis, env.JSS_DATA_DIR, { crashAt: env.JSS_TEST_CRASH_AT });
}
