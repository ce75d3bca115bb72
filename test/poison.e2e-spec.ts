import amqplib from 'amqplib';
import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_REASON_HEADER, EXCHANGES, PUBLISHER_HEADER, QUEUES, commandRoutingKey } from '@jss/contract';
import { Installation, MiB, REPOSITORY_ROOT, shippedPermissions, waitUntil } from '@jss/testing';

/**
 * Messages a handler fails on every time: the broker dead-letters them at the delivery limit, and
 * the planner fails their task with a reason, its temporaries removed; the message is parked, marked.
 * The broker users are the shipped ones: services as `jss`, commands from `jss-publisher`.
 */
describe('poison messages end their task', () => {
  let inst: Installation;
  const jssVms = async () => (await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'));

  beforeAll(async () => {
    inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 },
      { JANITOR_SWEEP_SECONDS: '5', JANITOR_GRACE_SECONDS: '0' },
      { brokerUsers: 'shipped' },
    );
    inst.expectParkedDeadLetters(); // poison, parked on purpose
    await inst.writer.writePoint('pz', [
      { name: 'constructor', source: { sizeBytes: 2 * MiB, seed: 1 } },
      { name: 'web', source: { sizeBytes: 1 * MiB, seed: 2 } },
    ]);
  });
  afterAll(() => inst?.stop());

  /** Waits until no temporary is left (the janitor's release, or its sweep, removes them). */
  async function noTemporaries(): Promise<void> {
    await waitUntil('no temporary left', async () => (await jssVms()).length === 0, 60_000, 250);
  }

  it('a handler that throws every time: the task fails dead-lettered, no temporary left, the message parked with its reason', async () => {
    await inst.sim.injectFault('createVm', { match: 'jss-rvm-web', times: 1000, transient: true, message: 'always broken' });
    const { id, end } = await inst.run('failover', { domain: 'pz', vms: ['web'] });
    await inst.sim.clearFaults();
    expect(end.key).toBe('task.failed');
    expect(end.event.data.reason).toBe('dead-lettered');
    expect(end.event.data.message).toMatch(/provision\.prepare.*delivery limit/);
    await noTemporaries();
    expect(inst.events.of(id, 'appliance.created')).toHaveLength(1);
    expect(inst.events.of(id, 'appliance.deleted')).toHaveLength(1);
    const conn = await amqplib.connect(inst.env.AMQP_URL!);
    try {
      const ch = await conn.createChannel();
      const parked = await ch.get(QUEUES.parkedDeadLetters, { noAck: true });
      expect(parked && String(parked.properties.headers?.[DEAD_LETTER_REASON_HEADER])).toMatch(/delivery limit: .*jss\.provisioner\.work/);
    } finally {
      await conn.close();
    }
  });

  it('a command of another broker user that is dead-lettered: answered once, parked with its publisher in x-jss-publisher, no loop', async () => {
    const publisher = await inst.brokerUser(`jss-pz-${randomUUID().slice(0, 6)}`, shippedPermissions(REPOSITORY_ROOT, 'jss-publisher'));
    const id = randomUUID();
    const conn = await amqplib.connect(publisher.url);
    try {
      const ch = await conn.createConfirmChannel();
      // JSON with an id, but no CloudEvent: refused and dead-lettered by the planner (user jss-svc-*)
      ch.publish(EXCHANGES.commands, commandRoutingKey('failover'), Buffer.from(JSON.stringify({ id, domain: 'pz' })), {
        userId: publisher.user,
        persistent: true,
      });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
    const answer = await inst.events.waitFor(id, ['command.rejected']);
    expect(answer.event.data).toMatchObject({ reason: 'invalid-command' });
    let parked: amqplib.GetMessage | null = null;
    await waitUntil('the command parked', async () => !!(parked = await parkedOne()), 60_000, 250);
    parked = parked!;
    expect(JSON.parse(parked.content.toString())).toEqual({ id, domain: 'pz' });
    expect(parked.properties.userId).toBeUndefined();
    expect(parked.properties.headers).toMatchObject({
      [PUBLISHER_HEADER]: publisher.user,
      [DEAD_LETTER_REASON_HEADER]: expect.any(String),
    });
    // a command published after it is answered after it: had the dead letter looped, it would have been answered again by now
    const { end } = await inst.run('failover', { domain: 'pz', dryRun: true });
    expect(end.key).toBe('task.planned');
    expect(inst.events.of(id)).toHaveLength(1);
    expect(await inst.queueStat(QUEUES.deadLetters)).toMatchObject({ messageCount: 0 });
  });

  /** The next parked dead letter, taken off the parking queue; null when there is none. */
  async function parkedOne() {
    const conn = await amqplib.connect(inst.env.AMQP_URL!);
    try {
      const msg = await (await conn.createChannel()).get(QUEUES.parkedDeadLetters, { noAck: true });
      return msg || null;
    } finally {
      await conn.close();
    }
  }

  it('test failover with a ttl of 1e13 seconds: refused at once (ttl past its bound), nothing created', async () => {
    const { end } = await inst.run('test-failover', { domain: 'pz', vms: ['web'], ttl: 1e13 });
    expect(end.key).toBe('command.rejected');
    expect(end.event.data).toMatchObject({ reason: 'invalid-command', message: expect.stringMatching(/ttl/) });
    expect(await jssVms()).toEqual([]);
  });

  it('a VM named "constructor" is recovered like any other', async () => {
    const { end } = await inst.run('failover', { domain: 'pz', vms: ['constructor'] });
    expect(end.key).toBe('task.completed');
    expect((await inst.platform.getVm('recovery', 'constructor'))?.owner?.kind).toBe('recovered');
    await noTemporaries();
  });
});
