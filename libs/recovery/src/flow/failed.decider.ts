import { Failed } from '@jss/contract';
import { Decider } from './decision';
import { failDecision } from './end';

/** A worker reported a failure it cannot retry its way out of. */
export const decideFailed: Decider<Failed> = async (ctx, msg) => {
  const task = await ctx.tasks.get(msg.taskId);
  return task && failDecision(task, { reason: msg.reason, message: `${msg.work}: ${msg.message}` });
};
