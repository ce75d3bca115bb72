import { RtoForecast, TaskPlannedData } from '@jss/contract';
import { temporaryName } from '@jss/platform';
import { waitSecondsOf } from '@jss/recovery-plans';
import { profileOf } from '@jss/tasks';
import { TaskDraft, pointVms } from './draft';
import { temporaryOf } from './temporary-names';

/** The RTO model (libs/protection): a forecast for this many bytes, VMs and waits. */
export type Forecaster = (input: { bytes: number; vms: number; waitSeconds: number }) => NonNullable<RtoForecast>;

/**
 * A dry run's answer: the VMs that would be created, the bytes to rehydrate (zero blocks cost
 * nothing; a failback from the original disks only the changed blocks) and the forecast RTO.
 */
export function dryRunOf(commandId: string, draft: TaskDraft, rocvaExists: boolean, forecast: Forecaster): TaskPlannedData {
  const { spec } = draft;
  const profile = profileOf(draft.operation);
  const create: TaskPlannedData['create'] = [
    ...(profile.usesRocva && !rocvaExists ? [{ name: temporaryName('rocva', draft.domain), kind: 'rocva' as const }] : []),
    ...draft.vms.map((vm) => ({ name: temporaryOf(draft, vm), kind: profile.temporaries })),
    ...spec.finals.map((f) => ({ name: f.name, kind: 'recovered' as const })),
  ];
  const blocks = pointVms(draft.point, draft.vms).flatMap((v) => v.disks.flatMap((d) => d.blocks));
  const bytesToRehydrate =
    draft.bytesToRehydrate ?? Math.min(draft.bytesTotal, blocks.filter((b) => b !== null).length * draft.point.blockSize);
  const waitSeconds = waitSecondsOf(spec.recoveryPlan?.steps, spec.bootOrder);
  const estimate = forecast({ bytes: bytesToRehydrate, vms: draft.vms.length, waitSeconds });
  return {
    commandId,
    operation: draft.operation,
    domain: draft.domain,
    vms: draft.vms,
    recoveryPoint: { id: draft.point.id, time: draft.point.time, ...draft.verdict },
    target: draft.target,
    create,
    bytesToRehydrate,
    bytesTotal: draft.bytesTotal,
    estimatedSeconds: Math.ceil(estimate.seconds),
    forecast: estimate,
  };
}
