import { Prepared } from '@jss/contract';
import { PlannedVm } from '@jss/tasks';
import { Step, taskIn } from './decision';
import { vanished } from './start.step';
import { jobsOf, rangeWork } from './work-messages';

/** The temporaries exist: split every disk into range jobs and send them out. */
export const preparedStep: Step<Prepared> = async (ctx, msg) => {
  const task = await taskIn(ctx, msg.taskId, ['provisioning']);
  if (!task) return null;
  const point = await ctx.point(task, task.point.id);
  if (!point) return vanished(task);
  const plan: PlannedVm[] = msg.temporaries.map((t) => ({
    name: t.vm,
    temp: t.name,
    tempIp: t.ip,
    disks: t.disks.map((d, index) => ({ index, ...d })),
  }));
  const jobs = jobsOf(point, plan);
  const patch = { rocva: msg.rocva, plan, jobs, jobCount: jobs.length, rehydratingAt: new Date().toISOString() };
  return {
    task,
    move: { from: ['provisioning'], to: 'rehydrating', patch },
    send: rangeWork(task, plan, point.id, jobs, null),
    then: 'check-rehydrated',
  };
};
