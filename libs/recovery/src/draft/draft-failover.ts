import { CommandData, REASONS, ReasonedError } from '@jss/contract';
import { DEFAULT_TARGET } from '../defaults';
import { DraftContext, TaskDraft, draftOf } from './draft';
import { checkBootOrder, checkStaticAddresses, resolvePoint, resolveTarget } from './resolve';

/** failover: RVMs through the domain's RocVA; each VM recovered under its own name, per networkMap. */
export async function draftFailover(data: CommandData<'failover'>, { replica, platform, verdicts }: DraftContext): Promise<TaskDraft> {
  const { point, vms, verdict } = await resolvePoint(replica, data.domain, data.recoveryPoint, data.vms, verdicts);
  const target = await resolveTarget(platform, { ...DEFAULT_TARGET, ...data.target });
  const unknown = Object.keys(data.networkMap ?? {}).filter((vm) => !vms.includes(vm));
  if (unknown.length) throw new ReasonedError(REASONS.invalidCommand, `networkMap names ${unknown.join(', ')}, not a VM of this failover`);
  const finals = vms.map((vm) => {
    const mapped = data.networkMap && Object.hasOwn(data.networkMap, vm) ? data.networkMap[vm] : undefined;
    return { vm, name: vm, network: mapped?.network ?? target.network, ip: mapped?.ip ?? 'dhcp', replace: false };
  });
  await checkStaticAddresses(platform, target.site, finals, (detail) => new ReasonedError(REASONS.invalidCommand, `networkMap: ${detail}`));
  return draftOf(
    'failover',
    point,
    vms,
    target,
    {
      temporaryNetwork: target.network,
      finals,
      bootOrder: checkBootOrder(data.bootOrder, vms),
      ...(data.commit && { commit: data.commit }),
    },
    verdict,
  );
}
