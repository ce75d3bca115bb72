import { readFileSync } from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import { parse } from 'yaml';
import { EXCHANGES } from '@jss/contract';
import { Installation, waitUntil } from '@jss/testing';
import { RabbitmqNode } from './support/rabbitmq-node';
import { OPS, ROOT } from './support/tools';

/**
 * The RabbitMQ configuration of docker-compose.yml (ops/rabbitmq) on a real broker: a throwaway
 * node boots with it, and the services run a failover against it as the compose file's user.
 */
describe('ops/rabbitmq on a throwaway RabbitMQ node', () => {
  let broker: RabbitmqNode;
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment: Record<string, string> }>;
  };

  beforeAll(async () => {
    broker = await RabbitmqNode.start({
      conf: path.join(OPS, 'rabbitmq', 'rabbitmq.conf'),
      definitions: path.join(OPS, 'rabbitmq', 'definitions.json'),
      enabledPlugins: path.join(OPS, 'rabbitmq', 'enabled_plugins'),
    });
  });
  afterAll(() => broker?.stop());

  it('declares the exchanges of the contract, topic and durable', () => {
    const exchanges = broker.list('exchanges', ['name', 'type', 'durable']);
    for (const name of Object.values(EXCHANGES)) expect(exchanges).toContainEqual([name, 'topic', 'true']);
  });

  it('serves per-queue metrics (rabbitmq_prometheus)', async () => {
    const res = await fetch(`http://127.0.0.1:${broker.prometheusPort}/metrics/detailed?family=queue_consumer_count`);
    expect(res.ok).toBe(true);
  });

  it('lets guest in as administrator, for the management UI and development', async () => {
    expect(broker.list('users')).toContainEqual(['guest', '[administrator]']);
    const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.amqpPort}`);
    await connection.close();
  });

  it('lets the services run a failover with the AMQP_URL of docker-compose.yml', async () => {
    const url = new URL(compose.services.planner.environment.AMQP_URL);
    url.host = `127.0.0.1:${broker.amqpPort}`;
    const inst = await Installation.start(undefined, { AMQP_URL: url.toString() });
    try {
      await inst.writer.writePoint('compose', [{ name: 'vm1', source: { sizeBytes: 3 * 1024 * 1024, seed: 2 } }]);
      const { end } = await inst.run('failover', { domain: 'compose' });
      expect(end.key).toBe('task.completed');
    } finally {
      await inst.stop();
    }
  });

  it('/readyz turns unready while the broker is stopped and ready again once it is back', async () => {
    const inst = await Installation.start({ planner: 1, rehydrator: 1 }, { AMQP_URL: `amqp://guest:guest@127.0.0.1:${broker.amqpPort}` });
    const status = (port: number) =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
    const until = async (port: number, want: number) => {
      await waitUntil(`/readyz of port ${port} answering ${want}`, async () => (await status(port)) === want, 60_000, 250);
      return status(port);
    };
    try {
      for (const s of inst.services) expect(await until(s.port, 200)).toBe(200);
      broker.ctl('stop_app');
      for (const s of inst.services) expect(await until(s.port, 503)).toBe(503);
      // alive all the same: liveness is not readiness
      expect((await fetch(`http://127.0.0.1:${inst.services[0].port}/healthz`)).status).toBe(200);
      broker.ctl('start_app');
      for (const s of inst.services) expect(await until(s.port, 200)).toBe(200);
    } finally {
      await inst.stop();
    }
  });
});
