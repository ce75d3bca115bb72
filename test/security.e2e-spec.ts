import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import amqplib from 'amqplib';
import { CommandClient, Installation, MiB, Recorded, inventorySnapshot, recoveryVm, shippedPermissions, waitUntil } from '@jss/testing';
import { EXCHANGES, cloudEvent } from '@jss/contract';

const tag = randomUUID().slice(0, 6);
const user = (role: string) => `jss-sec-${role}-${tag}`;
const END = ['task.completed', 'task.failed', 'task.cancelled', 'command.rejected', 'task.planned', 'task.ready'];

/**
 * Who may do what (a role map, real broker users with user_id checked by RabbitMQ), what a
 * publisher user may write, and commands built to hurt: each is refused with a bounded message.
 */
describe('security', () => {
  let inst: Installation;
  let tester: CommandClient;
  let operator: CommandClient;
  let admin: CommandClient;
  let guest: CommandClient;
  let roles: string;
  // as in production: the services run as the shipped `jss` user, each principal publishes with the rights of `jss-publisher`
  const publisherRights = shippedPermissions(path.join(__dirname, '..'), 'jss-publisher');

  beforeAll(async () => {
    roles = path.join(os.tmpdir(), `jss-roles-${tag}.yaml`);
    writeFileSync(
      roles,
      [
        'principals:',
        `  ${user('tester')}: { roles: [tester], domains: [shop] }`,
        `  ${user('operator')}: { roles: [operator], domains: [crm] }`,
        `  ${user('admin')}: { roles: [admin], domains: [] }`,
        '  guest: { roles: [operator], domains: ["*"] }',
        '',
      ].join('\n'),
    );
    inst = await Installation.start(undefined, { JSS_AUTHZ_FILE: roles }, { brokerUsers: 'shipped' });
    tester = await inst.brokerUser(user('tester'), publisherRights);
    operator = await inst.brokerUser(user('operator'), publisherRights);
    admin = await inst.brokerUser(user('admin'), publisherRights);
    guest = new CommandClient(inst.bus);
    await inst.writer.writePoint('shop', [
      { name: 'web', source: { sizeBytes: 2 * MiB, seed: 1 } },
      { name: 'constructor', source: { sizeBytes: MiB, seed: 2 } },
    ]);
    await inst.writer.writePoint('crm', [{ name: 'app', source: { sizeBytes: 2 * MiB, seed: 3 } }]);
  }, 300_000);
  // rabbitmqctl (a user per role, each deleted at stop) is slow on a busy machine
  afterAll(async () => {
    await inst?.stop();
    await rm(roles, { force: true });
  }, 300_000);

  const run = async (as: CommandClient, op: Parameters<Installation['publish']>[0], data: unknown): Promise<Recorded> =>
    inst.events.waitFor(await as.publish(op, data), END);
  const rejected = (r: Recorded, reason: string) => {
    expect(r.key).toBe('command.rejected');
    expect(r.event.data.reason).toBe(reason);
    expect(String(r.event.data.message).length).toBeLessThanOrEqual(450);
    return String(r.event.data.message);
  };

  describe('who asks, and what they may do', () => {
    it('refuses a command without user_id as unauthenticated', async () => {
      const id = randomUUID();
      await inst.bus.publish(
        EXCHANGES.commands,
        'recovery.failover',
        cloudEvent({ id, type: 'io.jss.recovery.failover', source: '/t', data: { domain: 'shop' } }),
      );
      rejected(await inst.events.waitFor(id, END), 'unauthenticated');
    });

    it('a tester may not fail over; an operator of crm may not fail over shop', async () => {
      expect(rejected(await run(tester, 'failover', { domain: 'shop' }), 'forbidden')).toMatch(
        new RegExp(`"${user('tester')}".*failover.*"shop"`),
      );
      expect(rejected(await run(operator, 'failover', { domain: 'shop' }), 'forbidden')).toMatch(
        new RegExp(`"${user('operator')}".*failover.*"shop"`),
      );
      expect(await inst.tasks.list()).toEqual([]);
    });

    it("a tester's test failover runs; an operator of another domain may not cancel it; requestedBy is in the events and the report", async () => {
      const ready = await run(tester, 'test-failover', { domain: 'shop', vms: ['web'] });
      expect(ready.key).toBe('task.ready');
      const taskId = ready.event.subject!;
      expect(inst.events.of(ready.event.data.commandId as string, 'task.accepted')[0].event.data.requestedBy).toBe(user('tester'));
      expect(rejected(await run(operator, 'cancel', { taskId }), 'forbidden')).toMatch(/cancel on domain "shop"/);
      expect((await inst.tasks.get(taskId))!.state).toBe('testing');
      const cleanup = await tester.publish('test-cleanup', { taskId });
      const report = await inst.events.waitFor(ready.event.data.commandId as string, ['task.report']);
      expect(report.event.data).toMatchObject({ outcome: 'completed', requestedBy: user('tester') });
      expect(inst.events.of(cleanup, 'command.rejected')).toEqual([]);
      expect((await inst.tasks.get(taskId))!.requestedBy).toBe(user('tester'));
    });

    it("an operator's failover of its own domain runs, recorded as its", async () => {
      const end = await run(operator, 'failover', { domain: 'crm' });
      expect(end.key).toBe('task.completed');
      expect(end.event.data.requestedBy).toBe(user('operator'));
    });

    it('refuses a command id already used by another principal', async () => {
      const first = await operator.publish('restore', { domain: 'crm', vms: ['app'], rename: { app: `app-${tag}` } });
      await inst.events.waitFor(first, ['task.completed']);
      await admin.publish('restore', { domain: 'crm', vms: ['app'], rename: { app: `app-${tag}` } }, first);
      rejected(await inst.events.waitFor(first, ['command.rejected']), 'duplicate-command');
    });
  });

  describe('no deletion of what is not ours', () => {
    const production = (name: string) => recoveryVm(inst.platform, name, { powerOn: true });

    it("refuses replace onto a production VM or another domain's VM, and leaves them be", async () => {
      await production('billing');
      const msg = rejected(
        await run(operator, 'restore', { domain: 'crm', vms: ['app'], rename: { app: 'billing' }, replace: true }),
        'forbidden',
      );
      expect(msg).toMatch(/billing/);
      // shop's recovered "web" (recovered for shop) is not crm's to replace
      expect((await run(guest, 'restore', { domain: 'shop', vms: ['web'] })).key).toBe('task.completed');
      const snapshot = await inventorySnapshot(inst.platform);
      rejected(await run(operator, 'restore', { domain: 'crm', vms: ['app'], rename: { app: 'web' }, replace: true }), 'forbidden');
      expect(await inventorySnapshot(inst.platform)).toEqual(snapshot);
      expect((await inst.platform.getVm('recovery', 'billing'))?.powerState).toBe('poweredOn');
    });

    it('an admin may replace a production VM, and the deletion is announced', async () => {
      await production('legacy');
      const end = await run(admin, 'restore', { domain: 'crm', vms: ['app'], rename: { app: 'legacy' }, replace: true });
      expect(end.key).toBe('task.completed');
      const deleted = inst.events.of(end.event.data.commandId as string, 'vm.deleted').map((r) => r.event.data);
      expect(deleted).toContainEqual(expect.objectContaining({ name: 'legacy', kind: 'unmanaged' }));
      expect((await inst.platform.getVm('recovery', 'legacy'))?.owner?.kind).toBe('recovered');
    });

    it('refuses a final name starting with jss-', async () => {
      rejected(await run(operator, 'restore', { domain: 'crm', vms: ['app'], rename: { app: 'jss-rocva-shop' } }), 'invalid-command');
    });
  });

  describe('odd and oversized input', () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['a 4 MiB field', 'failover', { domain: 'crm', x: 'y'.repeat(4 * MiB) }, 'invalid-command'],
      ['a 4 MiB domain', 'failover', { domain: 'a'.repeat(4 * MiB) }, 'invalid-command'],
      ['100,000 boot-order entries', 'failover', { domain: 'crm', bootOrder: [Array(100_000).fill('app')] }, 'invalid-command'],
      ['ttl 1e13', 'test-failover', { domain: 'crm', ttl: 1e13 }, 'invalid-command'],
      ['duplicate VMs', 'failover', { domain: 'crm', vms: ['app', 'app'] }, 'invalid-command'],
      ['a VM named constructor not in the domain', 'failover', { domain: 'crm', vms: ['constructor'] }, 'unknown-vm'],
      ['a point "yesterday"', 'failover', { domain: 'crm', recoveryPoint: 'yesterday' }, 'invalid-command'],
    ];
    it.each(cases)('refuses %s with a bounded message', async (_what, op, data, reason) => {
      rejected(await run(operator, op as 'failover', data), reason);
    });

    it('answers a routing key that names no operation, and an odd content type', async () => {
      inst.expectParkedDeadLetters(); // the half event is dead-lettered and parked
      // as a principal: the broker refuses a user_id that is not the connection's own
      const conn = await amqplib.connect(operator.url);
      try {
        const ch = await conn.createConfirmChannel();
        const send = (key: string, contentType: string) => {
          const id = randomUUID();
          const body = cloudEvent({ id, type: 'io.jss.recovery.failover', source: '/t', data: { domain: 'crm', dryRun: true } });
          ch.publish(EXCHANGES.commands, key, Buffer.from(JSON.stringify(body)), { contentType, userId: operator.user, persistent: true });
          return id;
        };
        const bare = send('failover', 'application/json');
        const deep = send('recovery.failover.now', 'application/json');
        const xml = send('recovery.failover', 'text/xml');
        await ch.waitForConfirms();
        rejected(await inst.events.waitFor(bare, END), 'unsupported-operation');
        rejected(await inst.events.waitFor(deep, END), 'unsupported-operation');
        rejected(await inst.events.waitFor(xml, END), 'invalid-command');
        ch.publish(EXCHANGES.commands, 'recovery.failover', Buffer.from(JSON.stringify({ id: 'half-an-event' })), {
          userId: operator.user,
        });
        await ch.waitForConfirms();
        rejected(await inst.events.waitFor('half-an-event', END), 'invalid-command');
      } finally {
        await conn.close();
      }
    });

    it('handles a VM named constructor as a plain name', async () => {
      const end = await run(guest, 'restore', { domain: 'shop', vms: ['constructor'], rename: {} });
      expect(end.key).toBe('task.completed');
      expect(await inst.platform.getVm('recovery', 'constructor')).not.toBeNull();
    });

    it('leaves no task stuck', async () => {
      const live = (await inst.tasks.list()).filter((t) => !['completed', 'failed', 'cancelled'].includes(t.state));
      expect(live).toEqual([]);
    });
  });

  describe('the role map', () => {
    it('a bad file stops a service, naming the line at fault', async () => {
      const bad = path.join(os.tmpdir(), `jss-roles-bad-${tag}.yaml`);
      writeFileSync(bad, 'principals:\n  olga:\n    roles: [operator, wizard]\n    domains: [crm]\n');
      await expect(inst.add({ planner: 1 }, { JSS_AUTHZ_FILE: bad })).rejects.toThrow(/exited with code 1/);
      const logs = path.join(inst.dataDir, 'logs');
      const text = (await readdir(logs)).map((f) => readFileSync(path.join(logs, f), 'utf8')).join('\n');
      expect(text).toContain(`${bad}:3: principals.olga.roles.1`);
      await rm(bad);
    });

    it('a changed file is in force without a restart', async () => {
      const dryRestore = { domain: 'shop', vms: ['web'], rename: { web: `web-${tag}` }, dryRun: true };
      rejected(await run(operator, 'restore', dryRestore), 'forbidden');
      writeFileSync(
        roles,
        readFileSync(roles, 'utf8').replace(
          `${user('operator')}: { roles: [operator], domains: [crm] }`,
          `${user('operator')}: { roles: [operator], domains: [crm, shop] }`,
        ),
      );
      // the file is watched: the change is in force once a command is answered by it
      let answer: Recorded | undefined;
      const planned = async () => (answer = await run(operator, 'restore', dryRestore)).key === 'task.planned';
      await waitUntil('the changed role map in force', planned, 30_000, 500);
      expect(answer!.event.data).toMatchObject({ operation: 'restore', domain: 'shop' });
    });
  });

  describe('broker permissions (ops/rabbitmq/definitions.json)', () => {
    it('a publisher user may publish commands and follow events, but not write jss.internal', async () => {
      const publisher = await inst.brokerUser(user('publisher'), publisherRights);
      const conn = await amqplib.connect(publisher.url);
      try {
        const ch = await conn.createConfirmChannel();
        const { queue } = await ch.assertQueue('', { exclusive: true });
        await ch.bindQueue(queue, EXCHANGES.events, '#');
        const id = await publisher.publish('failover', { domain: 'crm', dryRun: true });
        // it reached the planner as this user (which the role map does not list)
        expect(rejected(await inst.events.waitFor(id, END), 'forbidden')).toMatch(
          new RegExp(`"${user('publisher')}" is not in the role map`),
        );
        expect(await ch.checkQueue(queue)).toMatchObject({ queue });
        const closed = new Promise<string>((resolve) => ch.on('error', (err: Error) => resolve(err.message)));
        ch.publish(EXCHANGES.internal, 'provision.power-off', Buffer.from('{}'), { userId: publisher.user });
        expect(await closed).toMatch(/ACCESS_REFUSED/);
      } finally {
        await conn.close().catch(() => undefined);
      }
    });
  });
});
