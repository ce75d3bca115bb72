import { EVENTS } from '@jss/contract';
import { metrics } from '@jss/observability';
import { OUTCOME_OF } from '@jss/tasks';
import { reportOf } from '../report';
import { Decider } from './decision';
import { Outcome, endEvent } from './end';
import { event, secondsSince } from './outbound';

/** Temporaries are gone: the task ends with the outcome its ending state decided, and reports. */
export const decideReleased: Decider<{ taskId: string }> = async (ctx, { taskId }) => {
  const task = await ctx.tasks.get(taskId);
  const outcome = task && (OUTCOME_OF[task.state] as Outcome | undefined);
  if (!task || !outcome) return null;
  const duration = secondsSince(task.createdAt);
  const report = reportOf(task, outcome, await ctx.tasks.jobStats(task.id), await ctx.tasks.planProgress(task.id));
  return {
    task,
    move: { from: [task.state], to: outcome, patch: { report } },
    send: [endEvent(task, outcome, duration), event(EVENTS.taskReport, report)],
    onMoved: () => {
      metrics.tasksFinished.inc({ operation: task.operation, outcome });
      metrics.taskDuration.observe({ operation: task.operation, outcome }, duration);
    },
  };
};
