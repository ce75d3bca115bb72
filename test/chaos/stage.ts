import path from 'node:path';
import { createBrokerUser, deleteBrokerUser, freePort, shippedPermissions } from '@jss/testing';
import { RunningService, ServiceName, startService } from '@jss/processes';
import { RabbitmqNode } from '../ops/support/rabbitmq-node';

const ROOT = path.resolve(__dirname, '..', '..');

/** The services' environment in a chaos run: its broker, its Redis (REDIS_URL, sentinels), short watchdog, sweep and grace times. */
export function chaosEnv(dir: string, amqpUrl: string, redisEnv: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AMQP_URL: amqpUrl,
    ...redisEnv,
    REDIS_PREFIX: 'chaos:',
    JSS_DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'info',
    TASK_WATCHDOG_SECONDS: '120',
    TASK_STALL_SECONDS: '30',
    JANITOR_SWEEP_SECONDS: '5',
    JANITOR_GRACE_SECONDS: '20',
    SHUTDOWN_GRACE_SECONDS: '5',
  };
}

/** Starts a built service (logs under `dir`/logs), numbered, into `services`. */
export function serviceStarter(env: NodeJS.ProcessEnv, dir: string, services: RunningService[]) {
  let started = 0;
  return async (name: ServiceName): Promise<RunningService> => {
    const s = await startService(name, await freePort(), env, path.join(dir, 'logs'), {
      distDir: path.join(ROOT, 'dist'),
      label: `${name}-${started++}`,
    });
    services.push(s);
    return s;
  };
}

/** A throwaway RabbitMQ node with the shipped configuration and definitions. */
export const startBroker = () =>
  RabbitmqNode.start({
    conf: path.join(ROOT, 'ops/rabbitmq/rabbitmq.conf'),
    definitions: path.join(ROOT, 'ops/rabbitmq/definitions.json'),
    enabledPlugins: path.join(ROOT, 'ops/rabbitmq/enabled_plugins'),
  });

/**
 * The passwords ops/rabbitmq/definitions.json's hashes are of (docker-compose.yml, docs/security.md):
 * a single node imports that file again at each start_app, so another password would stop working
 * once the broker restarts.
 */
const SHIPPED_PASSWORDS = { jss: 'jss', 'jss-publisher': 'publisher' } as const;

/**
 * The production setup on a private broker: users `jss` (the services) and `jss-publisher` (who
 * publishes commands) with the rights ops/rabbitmq/definitions.json gives them, made with rabbitmqctl
 * on `node` (a cluster's users are the whole cluster's; a single node has them from the file
 * already); `guestUrls` (a URL or a comma-separated list) as each of them.
 */
export function asShippedUsers(node: string, guestUrls: string): { services: string; publisher: string } {
  const as = (user: keyof typeof SHIPPED_PASSWORDS) => {
    const password = SHIPPED_PASSWORDS[user];
    try {
      deleteBrokerUser(user, node);
    } catch {
      // not there (a cluster loads no definitions): nothing to replace
    }
    createBrokerUser('/', user, password, shippedPermissions(ROOT, user), node);
    return guestUrls
      .split(',')
      .map((u) => Object.assign(new URL(u), { username: user, password }).toString())
      .join(',');
  };
  return { services: as('jss'), publisher: as('jss-publisher') };
}
