import { PoweredOff } from '@jss/contract';
import { Decider, taskIn } from './decision';
import { replicateWork } from './work-messages';

/** Planned failover: the source VMs are off; ask the replication side for a final point. */
export const decidePoweredOff: Decider<PoweredOff> = async (ctx, msg) => {
  const task = await taskIn(ctx, msg.taskId, ['quiescing']);
  if (!task) return null;
  return { task, move: { from: ['quiescing'], to: 'awaiting-point', patch: { poweredOffAt: msg.at } }, send: [replicateWork(task)] };
};
