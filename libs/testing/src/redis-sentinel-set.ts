import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { REPOSITORY_ROOT } from './installation';
import { waitUntil } from './wait';

const SCRIPT = path.join(REPOSITORY_ROOT, 'scripts', 'redis-sentinel.sh');
const NODES = [0, 1, 2] as const;
// a bound, not a pause: a promotion or a full resync can take a minute on a loaded two-core machine
const SETTLE_MS = 180_000;

/**
 * A private Redis with Sentinel (scripts/redis-sentinel.sh): a primary, two replicas, three
 * sentinels on ports base..base+2 and base+10..base+12. Tests kill its primary and watch the
 * sentinels promote a replica; never the shared Redis.
 */
export class RedisSentinelSet {
  /** the variables the script printed: REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_MASTER */
  readonly env: Record<string, string>;

  private constructor(
    private readonly dir: string,
    private readonly base: number,
    printed: string,
  ) {
    this.env = Object.fromEntries(
      printed
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s, 2) as [string, string]),
    );
  }

  static start(dir: string, base: number): RedisSentinelSet {
    const printed = execFileSync('bash', [SCRIPT, 'start', dir], {
      env: { ...process.env, JSS_REDIS_HA_PORT: String(base) },
      encoding: 'utf8',
    });
    return new RedisSentinelSet(dir, base, printed);
  }

  /** The port of the primary the sentinels name now (asked of the first sentinel that answers). */
  async primaryPort(): Promise<number> {
    for (const i of NODES) {
      const answer = await this.sentinel(i, 'get-master-addr-by-name', this.env.REDIS_SENTINEL_MASTER).catch(() => null);
      if (Array.isArray(answer)) return Number(answer[1]);
    }
    throw new Error('no sentinel answers');
  }

  /** SIGKILLs the primary; resolves with its node number once the sentinels name a promoted replica that says it is one. */
  async killPrimary(): Promise<number> {
    const old = await this.primaryPort();
    const node = old - this.base;
    process.kill(this.pid(node), 'SIGKILL');
    // promoted, and with a replica it counts as good again: until then it refuses writes (min-replicas-to-write)
    await waitUntil(
      'a replica promoted',
      async () => {
        const now = await this.primaryPort();
        const info = now === old ? '' : await this.replication(now);
        return /^role:master/m.test(info) && /^min_slaves_good_slaves:[1-9]/m.test(info);
      },
      SETTLE_MS,
    );
    return node;
  }

  /** SIGKILLs both replicas; resolves with their node numbers once the primary has none left (it refuses writes then). */
  async killReplicas(): Promise<number[]> {
    const primary = await this.primaryPort();
    const nodes = NODES.filter((n) => this.base + n !== primary);
    for (const node of nodes) process.kill(this.pid(node), 'SIGKILL');
    await waitUntil('the primary alone', async () => /^connected_slaves:0\r?$/m.test(await this.replication(primary)), SETTLE_MS);
    return nodes;
  }

  /**
   * Starts a killed node again as a replica of the current primary; resolves once it is in sync with
   * the primary the sentinels name then. That can be another one: right after a promotion the
   * sentinels may fail over again (a chaos run saw the promoted node count as down for a second and a
   * second promotion follow), and they point the node at the new primary themselves.
   */
  async restartAsReplica(node: number): Promise<void> {
    const conf = path.join(this.dir, `redis${node}`, 'redis.conf');
    const started = spawnSync('redis-server', [conf, '--replicaof', '127.0.0.1', String(await this.primaryPort())], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`redis-server ${node} did not start: ${started.stderr}`);
    await waitUntil(
      `node ${node} back as a replica`,
      async () => {
        const [primary, info] = await Promise.all([this.primaryPort().catch(() => 0), this.replication(this.base + node)]);
        return (
          /^role:slave\r?$/m.test(info) &&
          /^master_link_status:up\r?$/m.test(info) &&
          new RegExp(`^master_port:${primary}\\r?$`, 'm').test(info)
        );
      },
      SETTLE_MS,
    );
  }

  stop(): void {
    execFileSync('bash', [SCRIPT, 'stop', this.dir], { env: { ...process.env, JSS_REDIS_HA_PORT: String(this.base) } });
  }

  private pid(node: number): number {
    return Number(readFileSync(path.join(this.dir, `redis${node}`, 'pid'), 'utf8').trim());
  }

  private replication(port: number): Promise<string> {
    return this.ask(port, (r) => r.info('replication')).catch(() => '');
  }

  private sentinel(i: number, ...args: string[]): Promise<unknown> {
    return this.ask(this.base + 10 + i, (r) => r.call('SENTINEL', ...args));
  }

  /** One question on a short-lived connection that does not retry (a dead node answers with an error). */
  private async ask<T>(port: number, question: (r: Redis) => Promise<T>): Promise<T> {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await question(r);
    } finally {
      r.disconnect();
    }
  }
}
