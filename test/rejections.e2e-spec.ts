import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EXCHANGES, QUEUES, DEAD_LETTER_REASON_HEADER, drillId } from '@jss/contract';
import { Installation, MiB, inventorySnapshot, waitUntil } from '@jss/testing';
import amqplib from 'amqplib';

/** Bad input: a reason code and a sentence, and nothing created. */
describe('refused commands and unreadable messages', () => {
  let inst: Installation;

  beforeAll(async () => {
    inst = await Installation.start(undefined, {}, { brokerUsers: 'shipped' });
    await inst.writer.writePoint('crm', [
      { name: 'api', source: { sizeBytes: 2 * MiB, seed: 1 } },
      { name: 'db', source: { sizeBytes: 2 * MiB, seed: 2 } },
    ]);
    await inst.writer.writePoint('odd', [{ name: 'blank', source: { sizeBytes: 0, seed: 3 } }]);
  });
  afterAll(() => inst?.stop());

  const cases: Array<[string, unknown, string, RegExp]> = [
    ['unknown domain', { domain: 'nope' }, 'unknown-domain', /"nope" does not exist/],
    ['unknown VM', { domain: 'crm', vms: ['api', 'ghost'] }, 'unknown-vm', /ghost/],
    [
      'unknown recovery point id',
      { domain: 'crm', recoveryPoint: 'rp-19990101T000000000Z-abcd' },
      'unknown-recovery-point',
      /no recovery point/,
    ],
    [
      'time before the oldest point',
      { domain: 'crm', recoveryPoint: '2001-01-01T00:00:00Z' },
      'unknown-recovery-point',
      /no recovery point/,
    ],
    ['network without DHCP', { domain: 'crm', target: { network: 'recovery-static-net' } }, 'no-dhcp', /no DHCP/],
    ['unknown network', { domain: 'crm', target: { network: 'mars-net' } }, 'unknown-network', /mars-net/],
    ['unknown datastore', { domain: 'crm', target: { datastore: 'nas-9' } }, 'unknown-datastore', /nas-9/],
    ['a 0-byte disk', { domain: 'odd' }, 'unsupported-disk', /disk 0 of VM "blank" .* is 0 bytes/],
    ['missing domain', { vms: ['api'] }, 'invalid-command', /data\.domain/],
    ['unknown field', { domain: 'crm', colour: 'red' }, 'invalid-command', /colour/],
    ['bad VM name', { domain: 'crm', vms: ['Bad Name'] }, 'invalid-command', /data\.vms\[0\]/],
  ];

  it.each(cases)('%s → command.rejected and the inventory unchanged', async (_what, data, reason, message) => {
    const before = await inventorySnapshot(inst.platform);
    const { end } = await inst.run('failover', data);
    expect(end.key).toBe('command.rejected');
    expect(end.event.data.reason).toBe(reason);
    expect(end.event.data.message).toMatch(message);
    expect(await inventorySnapshot(inst.platform)).toEqual(before);
    expect(await inst.tasks.list()).toEqual([]);
  });

  it('a store that cannot be read → store-unreachable (not unknown-domain), nothing created', async () => {
    const objects = path.join(inst.dataDir, 'objects');
    await fs.rename(objects, `${objects}.away`);
    await fs.writeFile(objects, 'not a folder'); // the store's root unusable, as an unmounted share
    try {
      const before = await inventorySnapshot(inst.platform);
      const { end } = await inst.run('failover', { domain: 'crm' });
      expect(end.key).toBe('command.rejected');
      expect(end.event.data.reason).toBe('store-unreachable');
      expect(end.event.data.message).toMatch(/object store cannot be read/);
      expect(await inventorySnapshot(inst.platform)).toEqual(before);
      expect(await inst.tasks.list()).toEqual([]);
    } finally {
      await fs.rm(objects);
      await fs.rename(`${objects}.away`, objects);
    }
  });

  it('refuses a type that does not match the routing key, and an unknown operation', async () => {
    const id = randomUUID();
    await inst.bus.publish(EXCHANGES.commands, 'recovery.failover', {
      specversion: '1.0',
      id,
      source: '/test',
      type: 'io.jss.recovery.restore',
      data: { domain: 'crm' },
    });
    expect((await inst.events.waitFor(id, ['command.rejected'])).event.data.reason).toBe('invalid-command');
    const id2 = randomUUID();
    await inst.bus.publish(EXCHANGES.commands, 'recovery.teleport', {
      specversion: '1.0',
      id: id2,
      source: '/test',
      type: 'io.jss.recovery.teleport',
      data: { domain: 'crm' },
    });
    expect((await inst.events.waitFor(id2, ['command.rejected'])).event.data.reason).toBe('unsupported-operation');
  });

  it("refuses a command whose id is in the drills' reserved space (another domain's next drill): nothing created, the id stays the drill's", async () => {
    const tester = await inst.brokerUser(`jss-alpha-tester-${randomUUID().slice(0, 6)}`);
    const squat = drillId('gamma', Date.parse('2030-01-01T00:00:00Z'));
    const answer = await inst.events.waitFor(await tester.publish('test-failover', { domain: 'crm' }, squat), [
      'command.rejected',
      'task.accepted',
    ]);
    expect(answer.event.data).toMatchObject({ reason: 'invalid-command', message: expect.stringMatching(/reserved for scheduled drills/) });
    expect(await inst.tasks.taskOfCommand(squat)).toBeNull();
    expect(await inst.platform.listVms({ kind: 'tvm' })).toEqual([]);
  });

  it('dead-letters a body that is not JSON or not a CloudEvent, with the reason in a header, and keeps serving', async () => {
    inst.expectParkedDeadLetters();
    const conn = await amqplib.connect(inst.env.AMQP_URL!);
    try {
      const ch = await conn.createConfirmChannel();
      ch.publish(EXCHANGES.commands, 'recovery.failover', Buffer.from('{not json'), { persistent: true });
      ch.publish(EXCHANGES.commands, 'recovery.failover', Buffer.from(JSON.stringify({ hello: 'world' })), { persistent: true });
      await ch.waitForConfirms();
      // each dead letter keeps its body and says why, and from which queue, in headers
      const dead: Array<{ body: string; reason: unknown; queue: unknown }> = [];
      // the planner settles each dead letter and parks it, the reason kept
      const parked = async () => {
        const msg = await ch.get(QUEUES.parkedDeadLetters, { noAck: true });
        const headers = msg ? (msg.properties.headers ?? {}) : null;
        if (msg && headers)
          dead.push({ body: msg.content.toString(), reason: headers[DEAD_LETTER_REASON_HEADER], queue: headers['x-jss-queue'] });
        return dead.length >= 2;
      };
      await waitUntil('both dead letters parked', parked, 20_000, 100);
      expect(dead).toHaveLength(2);
      expect(Object.fromEntries(dead.map(({ body, ...headers }) => [body, headers]))).toEqual({
        '{not json': { reason: expect.stringMatching(/not JSON/), queue: QUEUES.plannerCommands },
        '{"hello":"world"}': { reason: expect.stringMatching(/not a CloudEvents/), queue: QUEUES.plannerCommands },
      });
    } finally {
      await conn.close();
    }
    // the planner is still alive and serving
    const planner = inst.services.find((s) => s.name.startsWith('planner'))!;
    expect(planner.child.exitCode).toBeNull();
    expect(planner.child.signalCode).toBeNull();
    const { end } = await inst.run('failover', { domain: 'nope' });
    expect(end.event.data.reason).toBe('unknown-domain');
  });
});
