import amqplib from 'amqplib';
import { DEAD_LETTER_REASON_HEADER, QUEUES } from '@jss/contract';
import { Installation, MiB, waitUntil } from '@jss/testing';

/**
 * Messages a handler fails on every time: the broker dead-letters them at the delivery limit, and
 * the planner fails their task with a reason, its temporaries removed; the message is parked, marked.
 */
describe('poison messages end their task', () => {
  let inst: Installation;
  const jssVms = async () => (await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'));

  beforeAll(async () => {
    inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1 },
      { JANITOR_SWEEP_SECONDS: '5', JANITOR_GRACE_SECONDS: '0' },
    );
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
