import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Installation, MiB, diskHashes, waitUntil } from '@jss/testing';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'rabbitmq-cluster.sh');

/**
 * A three-node RabbitMQ cluster (scripts/rabbitmq-cluster.sh): the services connect with the three
 * addresses; the node that leads the rehydration queue is stopped during a failover, and the task
 * completes with identical disks.
 */
describe('a three-node RabbitMQ cluster', () => {
  let dir: string;
  let inst: Installation;
  let nodes: string[];
  const env = { ...process.env, JSS_CLUSTER_PORT: String(30000 + Math.floor(Math.random() * 2000) * 10) };
  const ctl = (node: string, ...args: string[]) => execFileSync('rabbitmqctl', ['-n', node, '-q', ...args], { encoding: 'utf8' });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'jss-cluster-'));
    const out = execFileSync('bash', [SCRIPT, 'start', dir], { env, encoding: 'utf8', timeout: 600_000 });
    const amqpUrl = /AMQP_URL=(\S+)/.exec(out)![1];
    nodes = execFileSync('bash', [SCRIPT, 'nodes', dir], { env, encoding: 'utf8' }).trim().split('\n');
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 2, janitor: 1 }, { AMQP_URL: amqpUrl, JSS_STORE_MBPS: '8' });
    await inst.writer.writePoint('cl', [
      { name: 'one', source: { sizeBytes: 40 * MiB, seed: 1 } },
      { name: 'two', source: { sizeBytes: 24 * MiB, seed: 2 } },
    ]);
  }, 900_000);
  afterAll(async () => {
    await inst?.stop();
    execFileSync('bash', [SCRIPT, 'stop', dir], { env });
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('replicates the quorum queues on all three nodes', () => {
    const members = ctl(nodes[0], 'list_queues', '--no-table-headers', 'name', 'members');
    const line = members.split('\n').find((l) => l.startsWith('jss.rehydrator.jobs'))!;
    for (const n of nodes) expect(line).toContain(n);
  });

  it('the leader of the rehydration queue stopped mid-failover: the task completes, disks identical', async () => {
    const id = await inst.publish('failover', { domain: 'cl' });
    await inst.events.waitForBytes(id, 120_000);
    const leader = ctl(nodes[0], 'list_queues', '--no-table-headers', 'name', 'leader')
      .split('\n')
      .find((l) => l.startsWith('jss.rehydrator.jobs'))!
      .split('\t')[1]
      .trim();
    expect(nodes).toContain(leader);
    const taskId = inst.events.of(id, 'task.accepted')[0].event.subject!;
    ctl(leader, 'stop_app');
    try {
      // the test's own event subscription may be on the stopped node: follow the task record instead
      const ended = async () => (await inst.tasks.fields(taskId, 'endedAt'))?.endedAt !== undefined;
      await waitUntil('the task ended', ended, 300_000, 500);
      expect((await inst.tasks.get(taskId))?.state).toBe('completed');
    } finally {
      ctl(leader, 'start_app');
    }
    // the same point restored afterwards gives the same bytes
    const check = await inst.run('restore', { domain: 'cl', vms: ['one', 'two'], rename: { one: 'one-check', two: 'two-check' } });
    expect(check.end.key).toBe('task.completed');
    for (const name of ['one', 'two']) {
      const got = await diskHashes(inst.platform, (await inst.platform.getVm('recovery', name))!);
      expect(got).toEqual(await diskHashes(inst.platform, (await inst.platform.getVm('recovery', `${name}-check`))!));
    }
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
  }, 600_000);
});
