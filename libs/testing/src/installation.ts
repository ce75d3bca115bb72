import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AmqpBus } from '@jss/bus';
import { loadEnv } from '@jss/config';
import { EXCHANGES, Operation, QUEUES, cloudEvent, commandRoutingKey, commandType } from '@jss/contract';
import { createLogger } from '@jss/observability';
import { Platform, SimPlatform, createPlatform } from '@jss/platform';
import { Redis, createRedis } from '@jss/redis';
import { ReplicaRepository, ReplicaWriter } from '@jss/replica';
import { ObjectStore, createObjectStore } from '@jss/store';
import { TaskStore } from '@jss/tasks';
import amqplib from 'amqplib';
import { RunningService, ServiceName, startService, stopService } from '@jss/processes';
import { EventLog } from './event-log';
import { freePort } from './free-port';
import { StoreBackend, StoreServer } from './store-servers';
import { PlatformBackend, Vcsim } from './vcsim';
import { Permissions, createBrokerUser, createVhost, deleteBrokerUser, deleteVhost, shippedPermissions } from './vhost';

/** The repository: the nearest folder above with a package.json (from libs/testing/src or dist/libs/testing/src). */
function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
export const REPOSITORY_ROOT = repositoryRoot(__dirname);
const DIST = path.join(REPOSITORY_ROOT, 'dist');

export type ServiceCounts = Partial<Record<ServiceName, number>>;
const ALL_ONCE: ServiceCounts = { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 };
const EVERYTHING: Permissions = { configure: '.*', write: '.*', read: '.*' };

/** Publishes commands over its own connection, as its broker user (AMQP user_id set, as jssctl does). */
export class CommandClient {
  /** `url`: the connection's, with the user's credentials (for raw AMQP in a test) */
  constructor(
    readonly bus: AmqpBus,
    readonly url = '',
  ) {}

  get user(): string {
    return this.bus.user;
  }

  async publish(op: Operation, data: unknown, id: string = randomUUID()): Promise<string> {
    const event = cloudEvent({ id, type: commandType(op), source: '/test', data });
    await this.bus.publish(EXCHANGES.commands, commandRoutingKey(op), event, { userId: this.bus.user });
    return id;
  }
}

export interface InstallationOptions {
  /** the simulated vCenter (default) or vcsim through the vSphere adapter */
  platform?: PlatformBackend;
  /** the object store: the local folder (default), or a started fauxqs (s3) or Azurite (azure) */
  store?: StoreBackend;
  /**
   * `shipped`: as in production (ops/rabbitmq/definitions.json), the services run as a user with the
   * rights of `jss` and publish() as one with those of `jss-publisher` (both of this test alone);
   * default: everything as guest.
   */
  brokerUsers?: 'guest' | 'shipped';
}

/**
 * One isolated installation per test file: its own vhost, Redis key prefix and data folder, the
 * built services running as child processes against the real broker and Redis, and clients for
 * the test to publish commands, record events and look at the platform and the object store.
 */
export class Installation {
  readonly services: RunningService[] = [];
  events!: EventLog;
  /** the S3 server or Azurite behind the store, when it is not the local folder */
  storeServer: StoreServer | null = null;
  private started = 0;
  private readonly users: Array<{ name: string; client?: CommandClient }> = [];
  /** who publish() and run() publish as (guest's own connection unless the users are the shipped ones) */
  private publisher: CommandClient | null = null;
  private parkedExpected = false;

  private constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly redis: Redis,
    readonly bus: AmqpBus,
    readonly platform: Platform,
    readonly store: ObjectStore,
    private readonly vhost: string,
    /** the vCenter simulator behind a vsphere installation */
    readonly vcsim: Vcsim | null,
  ) {}

  /** The simulated platform, for tests of what only it can do (faults, extra networks and datastores). */
  get sim(): SimPlatform {
    if (!(this.platform instanceof SimPlatform)) throw new Error('this test needs the simulated platform');
    return this.platform;
  }

  get dataDir(): string {
    return this.env.JSS_DATA_DIR!;
  }

  static async start(
    counts: ServiceCounts = ALL_ONCE,
    extraEnv: NodeJS.ProcessEnv = {},
    options: InstallationOptions = {},
  ): Promise<Installation> {
    // first: building vcsim is what may fail (no root, no apt-get), before anything needs undoing
    const vcsim = options.platform === 'vsphere' ? await Vcsim.start(REPOSITORY_ROOT) : null;
    const id = randomUUID().slice(0, 8);
    const vhost = `jss-test-${id}`;
    createVhost(vhost);
    const base = loadEnv();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `jss-test-${id}-`));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AMQP_URL: `${base.AMQP_URL.replace(/\/$/, '')}/${vhost}`,
      REDIS_PREFIX: `test:${id}:`,
      JSS_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...(vcsim ? vcsim.env(vcsim.writeSiteFile(path.join(dataDir, 'vsphere-site.yaml'))) : {}),
      ...extraEnv,
    };
    const settings = loadEnv(env);
    const redis = createRedis(settings, env.REDIS_PREFIX!, createLogger('test', 'silent'));
    redis.on('error', () => undefined); // with sentinels, each try while they still name a killed primary
    const bus = new AmqpBus(env.AMQP_URL!, createLogger('test', 'silent'));
    const platform = createPlatform(redis, settings);
    await platform.seed();
    const storeServer =
      options.store && options.store !== 'file'
        ? await StoreServer.start(options.store, path.join(env.JSS_DATA_DIR!, 'store-server'))
        : null;
    Object.assign(env, storeServer?.env(), extraEnv);
    const inst = new Installation(env, redis, bus, platform, createObjectStore(loadEnv(env), env), vhost, vcsim);
    inst.storeServer = storeServer;
    try {
      if (options.brokerUsers === 'shipped') {
        env.AMQP_URL = inst.userUrl(`jss-svc-${id}`, shippedPermissions(REPOSITORY_ROOT, 'jss'));
        inst.publisher = await inst.brokerUser(`jss-pub-${id}`, shippedPermissions(REPOSITORY_ROOT, 'jss-publisher'));
      }
      inst.events = await EventLog.attach(bus);
      await inst.add(counts);
    } catch (err) {
      await inst.stop();
      throw err;
    }
    return inst;
  }

  /** Starts more service processes (e.g. a second provisioner), optionally with more environment. */
  async add(counts: ServiceCounts, extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    const starting: Promise<RunningService>[] = [];
    const env = { ...this.env, ...extraEnv };
    for (const [name, n] of Object.entries(counts) as [ServiceName, number][]) {
      for (let i = 0; i < n; i++) {
        const label = `${name}-${this.started++}`;
        starting.push(freePort().then((port) => startService(name, port, env, path.join(this.dataDir, 'logs'), { distDir: DIST, label })));
      }
    }
    const started = await Promise.allSettled(starting);
    for (const s of started) if (s.status === 'fulfilled') this.services.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Stops (SIGTERM) the running services whose label starts with `prefix` (e.g. "rehydrator"). */
  async stopServices(prefix: string): Promise<void> {
    const stopping = this.services.filter((s) => s.name.startsWith(prefix));
    await Promise.all(stopping.map((s) => stopService(s)));
    for (const s of stopping) this.services.splice(this.services.indexOf(s), 1);
  }

  /** Ready messages and consumers of one of the installation's queues, as the queue itself counts them now. */
  async queueStat(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
    const conn = await amqplib.connect(this.env.AMQP_URL!);
    try {
      return await (await conn.createChannel()).checkQueue(queue);
    } finally {
      await conn.close();
    }
  }

  get writer(): ReplicaWriter {
    return new ReplicaWriter(this.store);
  }

  get replica(): ReplicaRepository {
    return new ReplicaRepository(this.store);
  }

  get tasks(): TaskStore {
    return new TaskStore(this.redis);
  }

  /** Publishes a command as a user would (as the installation's broker user, guest by default); returns its id. */
  async publish(op: Operation, data: unknown, id: string = randomUUID()): Promise<string> {
    return (this.publisher ?? new CommandClient(this.bus)).publish(op, data, id);
  }

  /** Who publish() publishes as, and the environment for jssctl to run as that user. */
  get publisherUser(): string {
    return this.publisher?.user ?? this.bus.user;
  }

  get cliEnv(): NodeJS.ProcessEnv {
    return this.publisher ? { ...this.env, AMQP_URL: this.publisher.url } : this.env;
  }

  /**
   * A broker user of this test alone (created with rabbitmqctl, rights in the test's vhost only,
   * deleted at stop) and a connection of its own. `name` is made unique: read it from client.user.
   */
  async brokerUser(name: string, permissions: Permissions = EVERYTHING): Promise<CommandClient> {
    const url = this.userUrl(name, permissions);
    const client = new CommandClient(new AmqpBus(url, createLogger('test', 'silent'), { topology: 'client' }), url);
    this.users.at(-1)!.client = client;
    return client;
  }

  /** A broker user of this test alone (deleted at stop): the installation's AMQP URL with its credentials. */
  private userUrl(user: string, permissions: Permissions): string {
    const password = randomUUID();
    createBrokerUser(this.vhost, user, password, permissions);
    this.users.push({ name: user });
    const url = new URL(this.env.AMQP_URL!);
    url.username = encodeURIComponent(user);
    url.password = password;
    return url.toString();
  }

  /** Publishes and waits for the command's answer: its task's end, its refusal, its dry-run plan, Test VMs up, a drill schedule's, a plan's or domain-set's answer. */
  async run(op: Operation, data: unknown, as?: CommandClient) {
    const id = await (as ?? this.publisher ?? new CommandClient(this.bus)).publish(op, data);
    const end = await this.events.waitFor(id, [
      'task.completed',
      'task.failed',
      'task.cancelled',
      'command.rejected',
      'task.planned',
      'task.ready',
      'drill.scheduled',
      'drill.unscheduled',
      'plan.applied',
      'plan.shown',
      'domain.updated',
    ]);
    return { id, end };
  }

  /** This test parks dead letters on purpose (a test of dead-lettering): stop() does not count them. */
  expectParkedDeadLetters(): void {
    this.parkedExpected = true;
  }

  /** Messages in jss.dead-letters.parked: each one a message a service refused or failed on until it was dead-lettered. */
  async parkedDeadLetters(): Promise<number> {
    return (await this.queueStat(QUEUES.parkedDeadLetters).catch(() => ({ messageCount: 0 }))).messageCount;
  }

  /**
   * Stops and removes everything; then fails (its data folder and logs kept) if a dead letter was
   * parked that the test did not declare: a service sent a message its own checks refuse.
   */
  async stop(): Promise<void> {
    const parked = this.parkedExpected ? 0 : await this.parkedDeadLetters();
    await Promise.all(this.services.map((s) => stopService(s)));
    await this.storeServer?.close();
    await this.bus.close();
    for (const u of this.users) {
      await u.client?.bus.close().catch(() => undefined);
      deleteBrokerUser(u.name);
    }
    const keys = await this.redis.keys(`${this.env.REDIS_PREFIX}*`);
    if (keys.length) await this.redis.unlink(...keys.map((k) => k.slice(this.env.REDIS_PREFIX!.length)));
    this.redis.disconnect();
    deleteVhost(this.vhost);
    await this.vcsim?.stop();
    if (!process.env.KEEP_TEST_DATA && !parked) rmSync(this.dataDir, { recursive: true, force: true });
    if (parked) {
      throw new Error(
        `${parked} dead letter(s) parked in ${QUEUES.parkedDeadLetters} (logs in ${this.dataDir}/logs); a test that means to park one calls expectParkedDeadLetters()`,
      );
    }
  }
}

/** The back ends a parametrised suite runs on: each object store on the simulated vCenter, and vcsim with the local store. */
export const BACKENDS: ReadonlyArray<Required<Pick<InstallationOptions, 'platform' | 'store'>>> = [
  { platform: 'sim', store: 'file' },
  { platform: 'sim', store: 's3' },
  { platform: 'sim', store: 'azure' },
  { platform: 'vsphere', store: 'file' },
];
