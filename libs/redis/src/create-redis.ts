import Redis, { RedisOptions } from 'ioredis';
import { Logger, createLogger } from '@jss/observability';
import { requireReplicaAcks } from './write-confirmation';

/** The settings of libs/config that say where Redis is (Env has them all). */
export interface RedisSettings {
  REDIS_URL: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_MASTER?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_MIN_REPLICA_ACKS?: number;
  REDIS_REPLICA_ACK_TIMEOUT_MS?: number;
}

/**
 * One client per process, every key under `prefix`. Commands wait while Redis is down. With
 * sentinels it asks them for the primary and follows a failover (ioredis's own Sentinel support);
 * REDIS_URL's user, password and db still apply. With replicas expected, guarded writes wait for them.
 */
export function createRedis(settings: RedisSettings, prefix: string, log?: Logger): Redis {
  const common: RedisOptions = { keyPrefix: prefix, maxRetriesPerRequest: null, lazyConnect: false };
  const sentinels = settings.REDIS_SENTINELS;
  const client = sentinels ? new Redis({ ...common, ...sentinelOptions(settings, sentinels) }) : new Redis(settings.REDIS_URL, common);
  const logger = log ?? createLogger('redis');
  // ioredis reconnects by itself; without a listener each failed attempt is an "Unhandled error event" on stderr
  client.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error; reconnecting'));
  const acks = settings.REDIS_MIN_REPLICA_ACKS ?? (sentinels ? 1 : 0);
  if (acks > 0) requireReplicaAcks(client, { acks, timeoutMs: settings.REDIS_REPLICA_ACK_TIMEOUT_MS ?? 2000, log: logger });
  return client;
}

function sentinelOptions(settings: RedisSettings, sentinels: string): RedisOptions {
  const url = new URL(settings.REDIS_URL);
  return {
    sentinels: sentinels.split(',').map((entry) => {
      const at = entry.lastIndexOf(':');
      return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
    }),
    name: settings.REDIS_SENTINEL_MASTER ?? 'jss',
    sentinelPassword: settings.REDIS_SENTINEL_PASSWORD,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(url.pathname.slice(1) || 0),
    // not failoverDetector: its disconnect on +switch-master, landing while a reconnect asks the
    // sentinels, ends the client for good (ioredis 5.11: "Connection is closed." on every command)
    // a primary demoted under a live connection answers READONLY: find the new one, send the command again
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
}
