import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpBus } from '@jss/bus';
import { Env, loadEnv, redactSecrets } from '@jss/config';
import { createLogger } from '@jss/observability';
import { Platform, createPlatform } from '@jss/platform';
import { Redis, createRedis } from '@jss/redis';
import { Manifest, ReplicaRepository, ReplicaWriter } from '@jss/replica';
import { PointEvents } from '@jss/scan';
import { ObjectStore, createObjectStore } from '@jss/store';
import { TaskStore } from '@jss/tasks';
import { Protection } from '../../replicator/src/protection';
import { CliError } from './cli-error';
import { sayError } from './output';

const CONNECT_TIMEOUT_MS = 5000;

/** What a CLI command may use, connected on first use and closed at exit. */
export class CliContext {
  readonly env: Env = loadEnv();
  private redisClient?: Redis;
  private busClient?: AmqpBus;
  private storeClient?: ObjectStore;
  private platformClient?: Promise<Platform>;

  async redis(): Promise<Redis> {
    if (!this.redisClient) {
      const client = createRedis(this.env, this.env.REDIS_PREFIX, createLogger('jssctl', 'silent'));
      this.redisClient = client;
      client.on('error', () => undefined); // reported below as one line
      const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
      if (!(await Promise.race([ready.then(() => true), sleep(CONNECT_TIMEOUT_MS, false, { ref: false })]))) {
        throw new CliError(
          `cannot reach Redis at ${redactSecrets(this.env.REDIS_URL)}; start it (redis-server --daemonize yes) or set REDIS_URL`,
        );
      }
    }
    return this.redisClient;
  }

  async bus(): Promise<AmqpBus> {
    if (!this.busClient) {
      this.busClient = new AmqpBus(this.env.AMQP_URL, createLogger('jssctl', 'silent'), { topology: 'client' });
      if (!(await Promise.race([this.busClient.waitForConnect().then(() => true), sleep(CONNECT_TIMEOUT_MS, false, { ref: false })]))) {
        throw new CliError(
          `cannot reach RabbitMQ at ${redactSecrets(this.env.AMQP_URL)}; start it (rabbitmq-server -detached) or set AMQP_URL`,
        );
      }
    }
    return this.busClient;
  }

  store(): ObjectStore {
    return (this.storeClient ??= createObjectStore(this.env));
  }

  replica(): ReplicaRepository {
    return new ReplicaRepository(this.store());
  }

  writer(): ReplicaWriter {
    return new ReplicaWriter(this.store());
  }

  async tasks(): Promise<TaskStore> {
    return new TaskStore(await this.redis());
  }

  platform(): Promise<Platform> {
    return (this.platformClient ??= this.redis().then(async (r) => {
      const p = createPlatform(r, this.env);
      await p.seed();
      return p;
    }));
  }

  async protection(): Promise<Protection> {
    return new Protection(await this.platform(), this.writer(), this.replica());
  }

  /**
   * point.created for a point just written, so that the scanners scan it now. Best effort: the
   * point is written either way, and without the broker the scanners' periodic listing finds it.
   */
  async announce(m: Manifest): Promise<void> {
    try {
      const announced = this.bus().then((bus) => new PointEvents(bus, '/jssctl').created(m));
      if (!(await Promise.race([announced.then(() => true), sleep(CONNECT_TIMEOUT_MS, false, { ref: false })])))
        throw new Error('no confirm');
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      sayError(`jssctl: point ${m.id} is written but was not announced (${why}); the scanners' periodic listing will find it`);
    }
  }

  async close(): Promise<void> {
    await this.busClient?.close().catch(() => undefined);
    this.redisClient?.disconnect();
  }
}
