import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { RoleMapSource } from '@jss/authz';
import { AmqpBus, Messenger } from '@jss/bus';
import { Env, loadEnv } from '@jss/config';
import { DomainLocks } from '@jss/locks';
import { Logger, createLogger } from '@jss/observability';
import { Platform, createPlatform } from '@jss/platform';
import { Redis, createRedis, isRedisOutage } from '@jss/redis';
import { ReplicaRepository } from '@jss/replica';
import { ObjectStore, createObjectStore } from '@jss/store';
import { TaskLiveness, TaskRecords, TaskStore } from '@jss/tasks';
import { RocvaManager } from '@jss/temporaries';
import { HealthController } from './health.controller';
import { ENV, LOGGER, OBJECT_STORE, PLATFORM, REDIS } from './tokens';

/** Closes the connections when the app shuts down (after the consumers have drained). */
class Connections implements OnApplicationShutdown {
  constructor(
    @Inject(AmqpBus) private readonly bus: AmqpBus,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}
  async onApplicationShutdown() {
    await this.bus.close();
    await this.redis.quit();
  }
}

/**
 * Every outside system behind one provider: env, logger, Redis, the bus, the platform, the object
 * store, and the stores built on them. Services inject only what they use.
 */
@Global()
@Module({})
export class CoreModule {
  static forService(service: string): DynamicModule {
    const providers = [
      { provide: ENV, useFactory: (): Env => loadEnv() },
      { provide: LOGGER, inject: [ENV], useFactory: (env: Env): Logger => createLogger(service, env.LOG_LEVEL) },
      { provide: REDIS, inject: [ENV, LOGGER], useFactory: (env: Env, log: Logger) => createRedis(env, env.REDIS_PREFIX, log) },
      // every service validates the role map at start (a bad one stops it), and warns once without one
      { provide: RoleMapSource, inject: [ENV, LOGGER], useFactory: (env: Env, log: Logger) => RoleMapSource.open(env.JSS_AUTHZ_FILE, log) },
      {
        provide: AmqpBus,
        inject: [ENV, LOGGER],
        useFactory: (env: Env, log: Logger) =>
          new AmqpBus(env.AMQP_URL, log, { graceMs: env.SHUTDOWN_GRACE_SECONDS * 1000, isOutage: isRedisOutage }),
      },
      { provide: Messenger, inject: [AmqpBus], useFactory: (bus: AmqpBus) => new Messenger(bus, `/jss/${service}`) },
      {
        provide: PLATFORM,
        inject: [REDIS, ENV],
        // the simulated sites are seeded on first use (idempotent, safe across replicas)
        useFactory: async (r: Redis, env: Env) => {
          const platform = createPlatform(r, env);
          await platform.seed();
          return platform;
        },
      },
      { provide: OBJECT_STORE, inject: [ENV], useFactory: createObjectStore },
      { provide: ReplicaRepository, inject: [OBJECT_STORE], useFactory: (s: ObjectStore) => new ReplicaRepository(s) },
      { provide: TaskStore, inject: [REDIS], useFactory: (r: Redis) => new TaskStore(r) },
      // what workers may know of a task: whether it is still wanted; and its record, to check work against
      { provide: TaskLiveness, useExisting: TaskStore },
      { provide: TaskRecords, inject: [TaskStore], useFactory: (t: TaskStore) => new TaskRecords(t) },
      {
        provide: DomainLocks,
        inject: [REDIS, LOGGER, ENV],
        useFactory: (r: Redis, l: Logger, env: Env) => new DomainLocks(r, l, env.JSS_TEST_STOP_AT === 'rocva-locked' ? 'rocva' : undefined),
      },
      {
        provide: RocvaManager,
        inject: [REDIS, DomainLocks, PLATFORM],
        useFactory: (r: Redis, l: DomainLocks, p: Platform) => new RocvaManager(r, l, p),
      },
      Connections,
    ];
    return {
      module: CoreModule,
      controllers: [HealthController],
      providers,
      exports: providers.filter((p) => p !== Connections),
    };
  }
}
