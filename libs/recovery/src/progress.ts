import { VmProgress } from '@jss/contract';
import { RangeJobPlan } from '@jss/tasks';

export interface ProgressFigures {
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  vms: Record<string, VmProgress>;
}

/**
 * Task progress from the bytes each range job reported. Zero-filled parts of a disk count as
 * done when their job reports them, so a VM reaches exactly its disk size.
 */
export function progressOf(jobs: RangeJobPlan[], jobBytes: Record<string, number>, since: string, now = Date.now()): ProgressFigures {
  // a Map: a VM named "constructor" is a name, not a prototype property
  const byVm = new Map<string, VmProgress>();
  for (const job of jobs) {
    const vm = byVm.get(job.vm) ?? { bytesDone: 0, bytesTotal: 0 };
    byVm.set(job.vm, vm);
    vm.bytesTotal += job.bytes;
    vm.bytesDone += Math.min(job.bytes, Object.hasOwn(jobBytes, job.jobId) ? jobBytes[job.jobId] : 0);
  }
  const vms = Object.fromEntries(byVm);
  const bytesTotal = [...byVm.values()].reduce((s, v) => s + v.bytesTotal, 0);
  const bytesDone = [...byVm.values()].reduce((s, v) => s + v.bytesDone, 0);
  const seconds = Math.max((now - Date.parse(since)) / 1000, 0.001);
  const bytesPerSecond = Math.round(bytesDone / seconds);
  const etaSeconds = bytesDone >= bytesTotal ? 0 : bytesPerSecond > 0 ? Math.ceil((bytesTotal - bytesDone) / bytesPerSecond) : null;
  return { bytesDone, bytesTotal, bytesPerSecond, etaSeconds, vms };
}
