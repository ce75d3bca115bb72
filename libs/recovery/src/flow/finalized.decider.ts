import { Finalized } from '@jss/contract';
import { Decider, taskIn } from './decision';
import { groupUpDecision } from './plan-decisions';
import { upDecision } from './vms-up';

/**
 * The final VMs (or the Test VMs) are up: a test waits for its cleanup, a failover with a commit
 * policy for its commit or rollback; anything else removes its temporaries and ends. With a
 * recovery plan, a reply is one group up, and the plan goes on (plan-decisions.ts).
 */
export const decideFinalized: Decider<Finalized> = async (ctx, msg) => {
  const task = await taskIn(ctx, msg.taskId, ['finalizing']);
  if (!task) return null;
  return task.spec.recoveryPlan ? groupUpDecision(ctx, task, msg) : upDecision(task, msg.vms);
};
