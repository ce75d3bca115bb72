import { Installation, MiB, waitUntil } from '@jss/testing';
import { Protection } from '../apps/replicator/src/protection';
import { Hook, PlanSuite } from './support/plans';

describe('recovery plans through a planner crash, a planned failover and a test failover', () => {
  let suite: PlanSuite;
  let inst: Installation;
  let hook: Hook;
  beforeAll(async () => ({ inst, hook } = suite = await PlanSuite.start()));
  afterAll(() => suite?.stop());

  it('the planner killed during a wait, at an approve and during a webhook: a new planner goes on from where the plan was', async () => {
    await suite.removeRecovered();
    hook.received.length = 0;
    hook.delayMs = 4000;
    await suite.apply(`domain: shop
groups:
  - name: data
    vms: [db]
    after:
      - wait: 3
  - name: logic
    vms: [app]
    before:
      - approve: { timeoutSeconds: 300 }
      - webhook: { url: "${hook.url}", retries: 0, timeoutSeconds: 2 }
`);
    const id = await inst.publish('failover', { domain: 'shop', vms: ['db', 'app'] });
    const restartPlanner = async () => {
      const planner = inst.services.find((x) => x.name.startsWith('planner') && x.child.exitCode === null && x.child.signalCode === null)!;
      planner.child.kill('SIGKILL');
      await inst.add({ planner: 1 });
    };
    await suite.waitForStep(id, 'data.after.1', 'plan.step-started');
    await restartPlanner();
    const approve = await suite.waitForStep(id, 'logic.before.1', 'plan.step-started', 30_000);
    await restartPlanner();
    await inst.publish('plan-continue', { taskId: approve.event.subject! });
    // the webhook's first POST is in flight when its planner dies; the next planner posts again once its lease is past
    await waitUntil('the webhook called', () => hook.received.length > 0);
    await restartPlanner();
    hook.delayMs = 0;
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 90_000);
    expect(end.key).toBe('task.completed');
    expect(hook.received.length).toBeGreaterThanOrEqual(2);
    expect(new Set(hook.received.map((r) => r.step))).toEqual(new Set([`${approve.event.subject}/logic.before.2`]));
    const report = (await inst.events.waitFor(id, ['task.report'])).event.data as {
      plan: { steps: Array<{ stepId: string; status: string }> };
    };
    expect(report.plan.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['data.power-on', 'completed'],
      ['data.after.1', 'completed'],
      ['logic.before.1', 'completed'],
      ['logic.before.2', 'completed'],
      ['logic.power-on', 'completed'],
    ]);
    expect(inst.events.of(id, 'plan.step-completed').filter((e) => e.event.data.stepId === 'data.after.1')).toHaveLength(1);
  });

  it('a planned failover runs the plan with its network map; a test failover runs its groups on the isolated network', async () => {
    const protection = new Protection(inst.platform, inst.writer, inst.replica);
    await protection.protect('pay', [
      { name: 'pay-db', source: { sizeBytes: MiB, seed: 7 } },
      { name: 'pay-app', source: { sizeBytes: MiB, seed: 8 } },
    ]);
    const id = await inst.publish('plan-apply', {
      domain: 'pay',
      document: `domain: pay
groups:
  - name: data
    vms:
      - name: pay-db
        network: recovery-static-net
        ip: 10.22.0.5
  - name: logic
    delaySeconds: 2
    vms: [pay-app]
    after:
      - check: {}
`,
    });
    expect((await inst.events.waitFor(id, ['plan.applied', 'command.rejected'])).key).toBe('plan.applied');

    const test = await inst.run('test-failover', { domain: 'pay' });
    expect(test.end.key).toBe('task.ready');
    const testTask = (await inst.tasks.get(test.end.event.subject!))!;
    const testAt = Object.fromEntries(testTask.recovered!.map((r) => [r.vm, Date.parse(r.poweredOnAt)]));
    expect(testAt['pay-app'] - testAt['pay-db']).toBeGreaterThanOrEqual(2000);
    const tvm = await inst.platform.getVm('recovery', testTask.recovered!.find((r) => r.vm === 'pay-db')!.name);
    expect(tvm?.nics.map((n) => n.network)).toEqual(['recovery-test-net']);
    await inst.publish('test-cleanup', { taskId: testTask.id });
    expect((await inst.events.waitFor(test.id, ['task.completed', 'task.failed'])).key).toBe('task.completed');
    expect(await inst.platform.getVm('recovery', tvm!.name)).toBeNull();

    const planned = await inst.publish('planned-failover', { domain: 'pay' });
    const end = await inst.events.waitFor(planned, ['task.completed', 'task.failed', 'command.rejected'], 90_000);
    expect(end.key).toBe('task.completed');
    const db = await inst.platform.getVm('recovery', 'pay-db');
    expect(db?.nics.map((n) => [n.network, n.ip])).toEqual([['recovery-static-net', '10.22.0.5']]);
    const task = (await inst.tasks.get(end.event.subject!))!;
    const at = Object.fromEntries(task.recovered!.map((r) => [r.vm, Date.parse(r.poweredOnAt)]));
    expect(at['pay-app'] - at['pay-db']).toBeGreaterThanOrEqual(2000);
    expect(inst.events.of(planned, 'plan.step-completed').map((e) => e.event.data.stepId)).toEqual([
      'data.power-on',
      'logic.power-on',
      'logic.after.1',
    ]);
  });
});
