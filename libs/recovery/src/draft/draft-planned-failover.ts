import { CommandData, REASONS, ReasonedError } from '@jss/contract';
import { DraftContext, TaskDraft } from './draft';
import { draftFailover } from './draft-failover';

/**
 * planned-failover: the protected site is alive. Its source VMs are powered off, a recovery point
 * newer than the power-off is awaited, and that point is failed over: nothing written before the
 * power-off is lost.
 */
export async function draftPlannedFailover(data: CommandData<'planned-failover'>, ctx: DraftContext): Promise<TaskDraft> {
  const draft = await draftFailover(data, ctx);
  const site = draft.point.site;
  for (const vm of draft.vms) {
    if (!(await ctx.platform.getVm(site, vm))) {
      throw new ReasonedError(
        REASONS.unknownVm,
        `source VM "${vm}" of domain "${draft.domain}" is not at site "${site}"; a planned failover needs the protected VMs running`,
      );
    }
  }
  return {
    ...draft,
    operation: 'planned-failover',
    spec: { ...draft.spec, planned: { site, vms: draft.vms, timeoutSeconds: ctx.plannedTimeoutSeconds } },
  };
}
