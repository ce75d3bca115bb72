import { FinalizeWork } from '@jss/contract';
import { PlanStep, PowerOnSpec, planStepsOf, planOf } from '@jss/recovery-plans';
import { Task, checkFinalize } from '@jss/tasks';
import { finalizeWork } from './work-messages';

/** A plan's finalize work goes out one group at a time; the provisioner's check of it against the task record agrees. */
describe('finalize work of a recovery plan', () => {
  const vms = ['db', 'app'];
  const plan = planOf({
    domain: 'shop',
    groups: [
      { name: 'data', delaySeconds: 0, vms: ['db'], before: [], after: [] },
      { name: 'logic', delaySeconds: 0, vms: ['app'], before: [], after: [] },
    ],
  });
  const task = {
    id: 't1',
    commandId: 'c1',
    operation: 'failback',
    domain: 'shop',
    state: 'finalizing',
    vms,
    target: { site: 'primary', cluster: 'primary-cluster', datastore: 'primary-ds', network: 'primary-net' },
    spec: {
      temporaryNetwork: 'primary-net',
      finals: vms.map((vm) => ({ vm, name: vm, network: 'primary-net', ip: 'dhcp', replace: true })),
      bootOrder: [],
      powerOffAfter: { site: 'recovery', vms },
      recoveryPlan: { version: 1, steps: planStepsOf(plan, vms) },
    },
    layout: vms.map((name) => ({
      name,
      temp: `jss-rvm-${name}`,
      tempIp: null,
      disks: [{ index: 0, sizeBytes: 1, path: `[primary-ds] jss-rvm-${name}/d.img` }],
    })),
  } as unknown as Task;
  const group = (name: string) => task.spec.recoveryPlan!.steps.find((a) => a.stepId === `${name}.power-on`) as PlanStep & PowerOnSpec;
  const data = (o: ReturnType<typeof finalizeWork>) => o.data as FinalizeWork;

  it('sends each group alone, the failback’s power-off with the last', () => {
    const first = data(finalizeWork(task, group('data')));
    expect(first.vms.map((v) => v.vm)).toEqual(['db']);
    expect(first.powerOff).toBeNull();
    expect(checkFinalize(task, first)).toBeNull();
    const last = data(finalizeWork(task, group('logic')));
    expect(last.powerOff).toEqual({ site: 'recovery', vms });
    expect(checkFinalize(task, last)).toBeNull();
  });

  it('refuses a finalize that is no group of the plan, or a group with the power-off of the last', () => {
    expect(checkFinalize(task, data(finalizeWork(task)))).toMatch(/not a group of the task's recovery plan/);
    expect(checkFinalize(task, { ...data(finalizeWork(task, group('data'))), powerOff: { site: 'recovery', vms } })).toMatch(/powerOff/);
  });
});
