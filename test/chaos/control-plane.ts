import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisSentinelSet, freePort } from '@jss/testing';
import { startBroker } from './stage';
import { PrivateRedis } from './support';

const ROOT = path.resolve(__dirname, '..', '..');
const CLUSTER = path.join(ROOT, 'scripts', 'rabbitmq-cluster.sh');

/** A fault of the broker or Redis, made once when the run is `at` (0..1) of the way through. */
export interface Outage {
  at: number;
  run(log: (msg: string) => void): Promise<void>;
}

/** What the services run against: its URLs and Redis settings, its own faults, and how to stop it. */
export interface ControlPlane {
  /** as guest: a test's instruments (the observer) */
  amqpUrl: string;
  /** a RabbitMQ node of it, for rabbitmqctl -n */
  node: string;
  redisEnv: Record<string, string>;
  outages: Outage[];
  /** when each Redis primary was lost (ms since the epoch), for the time to the first task move after it */
  primaryLosses: number[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** One broker node and one Redis with AOF: the broker stopped for 3 s a third in, Redis restarted two thirds in. */
export async function singleNodes(dir: string): Promise<ControlPlane> {
  const rabbit = await startBroker();
  const redis = new PrivateRedis(await freePort(), dir);
  await redis.start();
  return {
    amqpUrl: `amqp://guest:guest@127.0.0.1:${rabbit.amqpPort}`,
    node: rabbit.node,
    redisEnv: { REDIS_URL: redis.url },
    primaryLosses: [],
    outages: [
      {
        at: 0.35,
        run: async (log) => {
          log('broker: stop_app');
          rabbit.ctl('stop_app');
          await sleep(3000); // timed on purpose: the broker's outage
          rabbit.ctl('start_app');
          log('broker: start_app');
        },
      },
      {
        at: 0.65,
        run: async (log) => {
          log('redis: restart (SIGTERM, AOF kept)');
          await redis.stop();
          await sleep(1000); // timed on purpose: Redis's outage
          await redis.start();
        },
      },
    ],
    stop: async (signal) => {
      await Promise.allSettled([redis.stop(signal), rabbit.stop()]);
    },
  };
}

/**
 * --ha: a three-node RabbitMQ cluster (scripts/rabbitmq-cluster.sh, ports from JSS_CLUSTER_PORT) and
 * Redis with Sentinel (scripts/redis-sentinel.sh, ports from JSS_REDIS_HA_PORT, default 26400). The
 * Redis primary is SIGKILLed twice (the old one back as a replica once a replica is promoted), one
 * RabbitMQ node SIGKILLed and started again later.
 */
export async function highlyAvailable(dir: string): Promise<ControlPlane> {
  // a folder of its own: the script hands it to user rabbitmq, who cannot enter the run's (mode 700)
  const clusterDir = mkdtempSync(path.join(os.tmpdir(), 'jss-chaos-rabbitmq-'));
  let amqpUrl: string;
  let redis: RedisSentinelSet;
  try {
    amqpUrl = /^AMQP_URL=(.*)$/m.exec(execFileSync('bash', [CLUSTER, 'start', clusterDir], { encoding: 'utf8' }))![1];
    redis = RedisSentinelSet.start(path.join(dir, 'redis'), Number(process.env.JSS_REDIS_HA_PORT ?? 26400));
  } catch (err) {
    // a node that did not start leaves the others running: no process outlives a failed run
    execFileSync('bash', [CLUSTER, 'stop', clusterDir]);
    throw err;
  }
  const primaryLosses: number[] = [];
  const killPrimary: Outage['run'] = async (log) => {
    primaryLosses.push(Date.now());
    const node = await redis.killPrimary();
    log(`redis: primary (node ${node}) SIGKILLed; a replica promoted after ${((Date.now() - primaryLosses.at(-1)!) / 1000).toFixed(1)}s`);
    await redis.restartAsReplica(node);
    log(`redis: node ${node} back as a replica`);
  };
  const node = 1; // not the first: the services' first URL stays up
  return {
    amqpUrl,
    node: execFileSync('bash', [CLUSTER, 'nodes', clusterDir], { encoding: 'utf8' }).split('\n')[0],
    redisEnv: redis.env,
    primaryLosses,
    outages: [
      { at: 0.25, run: killPrimary },
      {
        at: 0.4,
        run: async (log) => {
          process.kill(Number(readFileSync(path.join(clusterDir, `node${node}`, 'pid'), 'utf8').trim()), 'SIGKILL');
          log(`rabbitmq: node ${node} SIGKILLed`);
        },
      },
      { at: 0.6, run: killPrimary },
      {
        at: 0.75,
        run: async (log) => {
          execFileSync('bash', [CLUSTER, 'start-node', clusterDir, String(node)]);
          log(`rabbitmq: node ${node} back in the cluster`);
        },
      },
    ],
    stop: async () => {
      redis.stop();
      execFileSync('bash', [CLUSTER, 'stop', clusterDir]);
      rmSync(clusterDir, { recursive: true, force: true });
    },
  };
}
