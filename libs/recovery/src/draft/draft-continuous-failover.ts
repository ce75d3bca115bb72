import { CommandData } from '@jss/contract';
import { draftFailover } from './draft-failover';
import { DraftContext, TaskDraft } from './draft';

/**
 * continuous-failover: a failover whose RVMs, once rehydrated from the newest point, stay and take
 * each new point as a delta, until a failover naming the task cuts over (or cancel ends it).
 */
export async function draftContinuousFailover(data: CommandData<'continuous-failover'>, ctx: DraftContext): Promise<TaskDraft> {
  const draft = await draftFailover({ domain: data.domain, vms: data.vms, target: data.target }, ctx);
  return { ...draft, operation: 'continuous-failover' };
}
