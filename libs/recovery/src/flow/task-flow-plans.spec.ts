import { Manifest } from '@jss/replica';
import { planStepsOf, planOf } from '@jss/recovery-plans';
import { Task } from '@jss/tasks';
import { FlowFixture } from '@jss/testing';
import { POWER_ON_RESEND_MS, PlanStepEnd } from './plan-decisions';

const MiB = 1 << 20;

/** A recovery plan's steps through TaskFlow against a real Redis: claims, moves and outbox together. */
describe('recovery plan steps', () => {
  const spec = FlowFixture.forSpec({ beforeAll, afterAll, beforeEach }, 'shop', { db: MiB, app: MiB });
  let fx: FlowFixture;
  let point: Manifest;
  beforeAll(() => ({ fx, point } = spec));

  /** A task whose VMs are rehydrated, in finalizing, with a plan: db (then an approve), then app. */
  async function finalizing(): Promise<Task> {
    const plan = planOf({
      domain: 'shop',
      groups: [
        {
          name: 'data',
          delaySeconds: 0,
          vms: ['db'],
          before: [],
          after: [{ approve: { timeoutSeconds: 60, onTimeout: 'fail' }, 'continue-on-failure': false }],
        },
        { name: 'logic', delaySeconds: 5, vms: ['app'], before: [], after: [] },
      ],
    });
    const vms = ['db', 'app'];
    const task = await fx.task('failover', point, {
      state: 'finalizing',
      layout: vms.map((name) => ({
        name,
        temp: `jss-rvm-${name}`,
        tempIp: null,
        disks: [{ index: 0, sizeBytes: MiB, path: `[recovery-ds] jss-rvm-${name}/disk-0.img` }],
      })),
    });
    const spec = { ...task.spec, recoveryPlan: { version: 1, steps: planStepsOf(plan, vms) } };
    await fx.tasks.patch(task.id, { spec });
    return { ...task, spec };
  }
  const up = (task: Task, vm: string) => ({
    taskId: task.id,
    commandId: task.commandId,
    vms: [{ vm, name: vm, site: 'recovery', ip: '10.0.0.7', poweredOnAt: new Date().toISOString() }],
  });

  it('powers one group on at a time, sends a lost finalize again, and waits the delay after the group before is up', async () => {
    const task = await finalizing();
    await fx.flow.drivePlan(task.id);
    const first = fx.published.take();
    expect(first.map((m) => m.key)).toEqual(['plan.step-started', 'provision.finalize']);
    expect((first[1].data.vms as Array<{ vm: string }>).map((v) => v.vm)).toEqual(['db']);
    // no answer (a lost message): nothing until the resend time, then the same finalize again
    await fx.flow.drivePlan(task.id);
    expect(fx.published.take()).toEqual([]);
    await fx.flow.drivePlan(task.id, Date.now() + POWER_ON_RESEND_MS + 1000);
    expect(fx.published.keys()).toEqual(['provision.finalize']);
    fx.published.take();

    await fx.flow.onFinalized(up(task, 'db'));
    expect(fx.published.keys()).toEqual(['plan.step-completed', 'plan.step-started']);
    expect(await fx.state(task.id)).toBe('awaiting-approval');
    fx.published.take();
    await fx.flow.continuePlan((await fx.tasks.get(task.id))!);
    expect(fx.published.keys()).toEqual(['plan.step-completed', 'plan.step-started']); // approve done, logic's power-on reached
    expect(await fx.state(task.id)).toBe('finalizing');
    fx.published.take();
    // the delay counts from db up: no finalize before it is past
    await fx.flow.drivePlan(task.id, Date.now() + 3000);
    expect(fx.published.take()).toEqual([]);
    await fx.flow.drivePlan(task.id, Date.now() + 6000);
    expect(fx.published.keys()).toEqual(['provision.finalize']);
    fx.published.take();
    await fx.flow.onFinalized(up(task, 'app'));
    expect(fx.published.keys()).toEqual(['plan.step-completed', 'janitor.release']);
    expect(await fx.state(task.id)).toBe('cleaning');
    expect((await fx.tasks.get(task.id))!.recovered!.map((r) => r.vm)).toEqual(['db', 'app']);
  });

  /** A step's end as an earlier planner wrote it: without the task's move, which came in a second write. */
  const endAlone = (taskId: string, fields: PlanStepEnd) =>
    fx.tasks.apply(taskId, {
      claim: { kind: 'step', stepId: 'data.after.1', guard: 'running', fields: { ...fields, endedAt: new Date().toISOString() } },
    });

  it('mends progress written in two steps: a step’s end without the task’s move', async () => {
    // an approve ended, the move back to finalizing lost
    const task = await finalizing();
    await fx.flow.drivePlan(task.id);
    await fx.flow.onFinalized(up(task, 'db'));
    await endAlone(task.id, { status: 'completed' });
    fx.published.take();
    await fx.flow.drivePlan(task.id);
    expect(await fx.state(task.id)).toBe('finalizing');
    expect(fx.published.keys()).toEqual(['plan.step-started']); // logic's power-on

    // a failed step recorded, the task's failure not made
    const other = await finalizing();
    await fx.flow.drivePlan(other.id);
    await fx.flow.onFinalized(up(other, 'db'));
    await endAlone(other.id, {
      status: 'failed',
      reason: 'plan-step-failed',
      message: 'no plan-continue within 60s',
    });
    fx.published.take();
    await fx.flow.drivePlan(other.id);
    expect(await fx.state(other.id)).toBe('failing');
    expect(fx.published.keys()).toEqual(['janitor.release']);
  });

  it('a wait or a delay within its bound keeps the watchdog away; a paused task can be cancelled', async () => {
    const task = await finalizing();
    await fx.flow.drivePlan(task.id);
    await fx.flow.onFinalized(up(task, 'db'));
    await fx.flow.continuePlan((await fx.tasks.get(task.id))!);
    const before = Date.now();
    await fx.flow.drivePlan(task.id); // logic's delay of 5 s after db up
    expect((await fx.tasks.lastMoved(task.id))!).toBeGreaterThanOrEqual(before);

    const paused = await finalizing();
    await fx.flow.drivePlan(paused.id);
    await fx.flow.onFinalized(up(paused, 'db'));
    expect(await fx.state(paused.id)).toBe('awaiting-approval');
    await fx.flow.cancel((await fx.tasks.get(paused.id))!);
    expect(await fx.state(paused.id)).toBe('cancelling');
  });

  it('an approve past its timeout fails the task when the step says fail', async () => {
    const task = await finalizing();
    await fx.flow.drivePlan(task.id);
    await fx.flow.onFinalized(up(task, 'db'));
    fx.published.take();
    await fx.flow.drivePlan(task.id, Date.now() + 61_000);
    expect(fx.published.keys()).toEqual(['plan.step-failed', 'janitor.release']);
    expect((await fx.tasks.get(task.id))!.error).toMatchObject({ reason: 'plan-step-failed' });
  });
});
