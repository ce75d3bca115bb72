import { Messenger } from '@jss/bus';
import { ReasonedError, cloudEvent, commandType } from '@jss/contract';
import { TaskFlow } from '@jss/recovery';
import { Task, TaskStore } from '@jss/tasks';
import { RecordingPublisher, manifestOf, partial, roleMapOf, taskOf } from '@jss/testing';
import { ControlCommand, ControlUseCase } from './control.usecase';

const point = manifestOf('shop', { app: 1 << 20 });
const ROLES = 'principals:\n  ops: { roles: [operator], domains: [shop] }\n  qa: { roles: [tester], domains: [shop] }\n';

/** cancel, test-cleanup, commit, rollback, plan-continue and cut-over, refused or handed to the flow (the e2e suites run the real flow). */
describe('ControlUseCase', () => {
  const calls: string[] = [];
  const published = new RecordingPublisher();
  const roles = roleMapOf(ROLES);
  afterAll(() => roles.close());
  const flow = partial<TaskFlow>(
    Object.fromEntries(
      ['cancel', 'cleanupTest', 'commit', 'rollback', 'continuePlan', 'requestCutover'].map((verb) => [
        verb,
        async (t: Task) => void calls.push(`${verb} ${t.id}`),
      ]),
    ),
  );
  const useCase = (tasks: Task[]) =>
    new ControlUseCase(
      partial<TaskStore>({ get: async (id: string) => tasks.find((t) => t.id === id) ?? null }),
      flow,
      partial<Messenger>(published),
      roles,
    );
  beforeEach(() => {
    calls.length = 0;
    published.take();
  });

  const command = <C extends ControlCommand>(op: C['op'], data: C['data'], principal = 'ops') =>
    ({ op, data, principal, event: cloudEvent({ type: commandType('cancel'), source: '/spec', data }) }) as C;
  const refusal = (c: ControlCommand, tasks: Task[]) =>
    useCase(tasks)
      .execute(c)
      .then(
        () => 'done',
        (err: ReasonedError) => err.reason,
      );

  it.each([
    ['cancel', 'rehydrating', 'failover', 'cancel'],
    ['test-cleanup', 'testing', 'test-failover', 'cleanupTest'],
    ['commit', 'awaiting-commit', 'failover', 'commit'],
    ['rollback', 'awaiting-commit', 'failover', 'rollback'],
    ['plan-continue', 'awaiting-approval', 'failover', 'continuePlan'],
  ] as const)('%s of a task %s: handed to the flow', async (op, state, operation, verb) => {
    const task = taskOf(operation, point, { state });
    await useCase([task]).execute(command(op, { taskId: task.id }));
    expect(calls).toEqual([`${verb} ${task.id}`]);
  });

  it('a failover naming a continuous failover of its domain cuts it over; of another domain, refused', async () => {
    const task = taskOf('continuous-failover', point, { state: 'standby' });
    await useCase([task]).execute(command('cutover', { taskId: task.id, domain: 'shop' }));
    expect(calls).toEqual([`requestCutover ${task.id}`]);
    expect(await refusal(command('cutover', { taskId: task.id, domain: 'crm' }), [task])).toBe('invalid-command');
  });

  it.each([
    ['an unknown task', 'cancel', null, 'unknown-task'],
    ['an ended task', 'cancel', { state: 'completed' }, 'task-ended'],
    ['a test-cleanup of no test', 'test-cleanup', { state: 'testing' }, 'not-a-test'],
    ['a commit not awaited', 'commit', { state: 'finalizing' }, 'not-awaiting-commit'],
    ['a plan-continue of a task not paused', 'plan-continue', { state: 'finalizing' }, 'not-awaiting-approval'],
    ['a cut-over of no continuous failover', 'cutover', { state: 'rehydrating' }, 'not-continuous'],
  ] as const)('refuses %s (%s), changing nothing', async (_what, op, extra, reason) => {
    const task = taskOf('failover', point, extra ?? {});
    const tasks = extra ? [task] : [];
    expect(await refusal(command(op, { taskId: task.id, domain: 'shop' }), tasks)).toBe(reason);
    expect(calls).toEqual([]);
  });

  it('authorises against the task’s domain: a tester may not cancel; a dry run answers task.planned and does nothing', async () => {
    const task = taskOf('failover', point, { state: 'rehydrating' });
    expect(await refusal(command('cancel', { taskId: task.id }, 'qa'), [task])).toBe('forbidden');
    await useCase([task]).execute(command('cancel', { taskId: task.id, dryRun: true }));
    expect(calls).toEqual([]);
    expect(published.take()).toMatchObject([{ key: 'task.planned', data: { operation: 'cancel', domain: 'shop', create: [] } }]);
  });
});
