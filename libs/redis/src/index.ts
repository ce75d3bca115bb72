import Redis from 'ioredis';

export { Redis };

/** One client per process, every key under REDIS_PREFIX. Commands wait while Redis is down. */
export function createRedis(url: string, prefix: string): Redis {
  return new Redis(url, { keyPrefix: prefix, maxRetriesPerRequest: null, lazyConnect: false });
}
