import { CommandData, REASONS, ReasonedError } from '@jss/contract';
import { PROTECTED_SITE, RECOVERY_SITE } from '../defaults';
import { DraftContext, TaskDraft, draftOf } from './draft';
import { failbackBase, failbackBytes } from './failback-base';
import { resolvePoint, resolveTarget } from './resolve';

/**
 * failback: after a failover, the recovered VMs run at the recovery site and are protected back
 * from there. Their newest point is rehydrated at the original site through a RocVA and RVMs there;
 * each VM replaces its stale original, the copies at the recovery site are powered off, and the
 * domain is protected from its original site again. A VM whose original disks still hold the newest
 * point read at home starts from copies of them and only its changed blocks are rehydrated
 * (failback-base.ts); any other from empty disks.
 */
export async function draftFailback(data: CommandData<'failback'>, ctx: DraftContext): Promise<TaskDraft> {
  const { point, vms } = await resolvePoint(ctx.replica, data.domain, undefined, data.vms);
  if (point.site !== RECOVERY_SITE) {
    throw new ReasonedError(
      REASONS.noFailbackPoint,
      `the newest recovery point of "${data.domain}" (${point.id}) was taken at site "${point.site}"; fail back needs one taken from the recovered VMs at "${RECOVERY_SITE}"`,
    );
  }
  const home = PROTECTED_SITE;
  const target = await resolveTarget(ctx.platform, { cluster: `${home}-cluster`, datastore: `${home}-ds`, network: `${home}-net` });
  const { base, manifest } = await failbackBase(ctx.replica, ctx.platform, point, vms, home);
  const draft = draftOf('failback', point, vms, target, {
    temporaryNetwork: target.network,
    finals: vms.map((vm) => ({ vm, name: vm, network: target.network, ip: 'dhcp', replace: true })),
    bootOrder: [],
    powerOffAfter: { site: RECOVERY_SITE, vms },
    failbackBase: base,
  });
  return { ...draft, bytesToRehydrate: failbackBytes(point, manifest, vms, new Set(base.seeds.map((s) => s.vm))) };
}
