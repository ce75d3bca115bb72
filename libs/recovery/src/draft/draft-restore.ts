import { CommandData, REASONS, ReasonedError } from '@jss/contract';
import { DEFAULT_TARGET } from '../defaults';
import { DraftContext, TaskDraft, draftOf } from './draft';
import { resolvePoint, resolveTarget } from './resolve';

/** restore: chosen VMs at a point to a chosen place, through RVMs (no RocVA), optionally renamed. */
export async function draftRestore(data: CommandData<'restore'>, { replica, platform, verdicts }: DraftContext): Promise<TaskDraft> {
  const { point, vms, verdict } = await resolvePoint(replica, data.domain, data.recoveryPoint, data.vms, verdicts);
  const target = await resolveTarget(platform, { ...DEFAULT_TARGET, ...data.target });
  const rename = data.rename ?? {};
  const stray = Object.keys(rename).filter((vm) => !vms.includes(vm));
  if (stray.length) throw new ReasonedError(REASONS.invalidCommand, `rename names ${stray.join(', ')}, not a VM of this restore`);
  const names = vms.map((vm) => (Object.hasOwn(rename, vm) ? rename[vm] : vm));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new ReasonedError(REASONS.invalidCommand, `two VMs would be restored as "${twice}"`);
  return draftOf(
    'restore',
    point,
    vms,
    target,
    {
      temporaryNetwork: target.network,
      finals: vms.map((vm, i) => ({ vm, name: names[i], network: target.network, ip: 'dhcp', replace: data.replace ?? false })),
      bootOrder: [],
    },
    verdict,
  );
}
