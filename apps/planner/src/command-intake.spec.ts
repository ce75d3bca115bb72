import { AmqpContext, Messenger } from '@jss/bus';
import { OPERATIONS, Operation, cloudEvent, commandType } from '@jss/contract';
import { createLogger } from '@jss/observability';
import { TaskFlow } from '@jss/recovery';
import { TaskStore } from '@jss/tasks';
import { RecordingPublisher, partial } from '@jss/testing';
import { Command, CommandHandlers } from './command';
import { CommandIntake } from './command-intake';

/** What every command goes through before its use case (the e2e suites rejections and security run it with the real parts). */
describe('CommandIntake', () => {
  const published = new RecordingPublisher();
  const started: string[] = [];
  const handled: Command[] = [];
  const handlers = Object.fromEntries(OPERATIONS.map((op) => [op, async (c: Command) => void handled.push(c)])) as CommandHandlers;
  const seen = new Map([['c-seen', { id: 'task-1', requestedBy: 'ops', domain: 'shop', operation: 'failover' as const }]]);
  const intake = new CommandIntake(
    partial<Messenger>(published),
    partial<TaskStore>({ recordOfCommand: async (id: string) => seen.get(id) ?? null }),
    partial<TaskFlow>({ start: async (id: string) => started.push(id) > 0 }),
    createLogger('spec', 'silent'),
  );
  beforeEach(() => {
    published.take();
    handled.length = 0;
    started.length = 0;
  });

  const receive = (op: Operation | string, data: unknown, o: { id?: string; type?: string; userId?: string } = {}) => {
    const event = cloudEvent({ id: o.id, type: o.type ?? commandType(op as Operation), source: '/spec', data });
    return intake.receive(new AmqpContext([event, `recovery.${op}`, { userId: o.userId ?? 'ops' }]), handlers);
  };
  const rejected = () => published.take().map((m) => (m.data as { reason: string }).reason);

  it('hands a command to its operation’s handler with its data as the schema gives it', async () => {
    await receive('restore', { domain: 'shop', vms: ['db'] });
    expect(handled).toMatchObject([{ op: 'restore', data: { domain: 'shop', vms: ['db'] }, principal: 'ops' }]);
    expect(published.sent).toEqual([]);
  });

  it.each([
    [
      'a routing key naming no operation',
      () => receive('reboot', { domain: 'shop' }, { type: 'io.jss.recovery.reboot' }),
      'unsupported-operation',
    ],
    [
      'a type that is not the routing key’s',
      () => receive('failover', { domain: 'shop' }, { type: commandType('restore') }),
      'invalid-command',
    ],
    ['no AMQP user_id', () => receive('failover', { domain: 'shop' }, { userId: '' }), 'unauthenticated'],
    ['data that does not fit its schema', () => receive('restore', { domain: 'shop' }), 'invalid-command'],
    [
      'a command id in the drills’ reserved space (another domain’s next drill)',
      () => receive('test-failover', { domain: 'alpha' }, { id: 'drill-gamma-20270101T000000Z' }),
      'invalid-command',
    ],
    [
      'a command id another principal used',
      () => receive('cancel', { taskId: 't' }, { id: 'c-seen', userId: 'mallory' }),
      'duplicate-command',
    ],
  ])('refuses %s with command.rejected, and runs nothing', async (_what, send, reason) => {
    await send();
    expect(rejected()).toEqual([reason]);
    expect(handled).toEqual([]);
  });

  it('a command id seen before from the same principal starts nothing new (its task is started, a no-op once started)', async () => {
    await receive('failover', { domain: 'shop' }, { id: 'c-seen' });
    expect(started).toEqual(['task-1']);
    expect(handled).toEqual([]);
    expect(published.sent).toEqual([]);
  });
});
