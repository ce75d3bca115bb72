import { TaskPlannedData } from '@jss/contract';
import { temporaryName } from '@jss/platform';
import { profileOf } from '@jss/tasks';
import { TaskDraft, pointVms } from './draft';
import { temporaryOf } from './temporary-names';

/** Rehydration rate assumed for an estimate until the installation has measured one. */
export const DEFAULT_RATE_BYTES_PER_SECOND = 200e6;

/** A dry run's answer: the VMs that would be created and the bytes to rehydrate (zero blocks cost nothing). */
export function dryRunOf(commandId: string, draft: TaskDraft, rocvaExists: boolean, rate: number | null): Omit<TaskPlannedData, never> {
  const { spec } = draft;
  const profile = profileOf(draft.operation);
  const create: TaskPlannedData['create'] = [
    ...(profile.usesRocva && !rocvaExists ? [{ name: temporaryName('rocva', draft.domain), kind: 'rocva' as const }] : []),
    ...draft.vms.map((vm) => ({ name: temporaryOf(draft, vm), kind: profile.temporaries })),
    ...spec.finals.map((f) => ({ name: f.name, kind: 'recovered' as const })),
  ];
  const blocks = pointVms(draft.point, draft.vms).flatMap((v) => v.disks.flatMap((d) => d.blocks));
  const bytesToRehydrate = Math.min(draft.bytesTotal, blocks.filter((b) => b !== null).length * draft.point.blockSize);
  return {
    commandId,
    operation: draft.operation,
    domain: draft.domain,
    vms: draft.vms,
    recoveryPoint: { id: draft.point.id, time: draft.point.time, ...draft.verdict },
    target: draft.target,
    create,
    bytesToRehydrate,
    estimatedSeconds: Math.ceil(bytesToRehydrate / (rate ?? DEFAULT_RATE_BYTES_PER_SECOND)),
  };
}
