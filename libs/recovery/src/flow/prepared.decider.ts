import { Prepared } from '@jss/contract';
import { VmLayout } from '@jss/tasks';
import { Decider, taskIn } from './decision';
import { vanishedDecision } from './end';
import { jobsOf, rangeWork } from './work-messages';

/** The temporaries exist: split every disk into range jobs and send them out. */
export const decidePrepared: Decider<Prepared> = async (ctx, msg) => {
  const task = await taskIn(ctx, msg.taskId, ['provisioning']);
  if (!task) return null;
  const point = await ctx.point(task, task.point.id);
  if (!point) return vanishedDecision(task);
  const layout: VmLayout[] = msg.temporaries.map((t) => ({
    name: t.vm,
    temp: t.name,
    tempIp: t.ip,
    disks: t.disks.map((d, index) => ({ index, ...d })),
  }));
  const jobs = jobsOf(point, layout);
  const patch = { rocva: msg.rocva, layout, jobs, jobCount: jobs.length, rehydratingAt: new Date().toISOString() };
  return {
    task,
    move: { from: ['provisioning'], to: 'rehydrating', patch },
    send: rangeWork(task, layout, point.id, jobs, null),
    then: 'check-rehydrated',
  };
};
