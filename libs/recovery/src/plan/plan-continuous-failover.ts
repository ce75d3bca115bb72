import { CommandData } from '@jss/contract';
import { planFailover } from './plan-failover';
import { PlanContext, TaskDraft } from './draft';

/**
 * continuous-failover: a failover whose RVMs, once rehydrated from the newest point, stay and take
 * each new point as a delta, until a failover naming the task cuts over (or cancel ends it).
 */
export async function planContinuousFailover(data: CommandData<'continuous-failover'>, ctx: PlanContext): Promise<TaskDraft> {
  const draft = await planFailover({ domain: data.domain, vms: data.vms, target: data.target }, ctx);
  return { ...draft, operation: 'continuous-failover' };
}
