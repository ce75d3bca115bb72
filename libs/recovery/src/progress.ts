import { LIMITS, VmProgress } from '@jss/contract';
import { RangeJobSpec } from '@jss/tasks';

export interface ProgressFigures {
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  vms: Record<string, VmProgress>;
  vmsDone: number;
  vmsTotal: number;
}

/**
 * Task progress from the bytes each range job reported. Zero-filled parts of a disk count as
 * done when their job reports them, so a VM reaches exactly its disk size.
 */
export function progressOf(jobs: RangeJobSpec[], jobBytes: Record<string, number>, since: string, now = Date.now()): ProgressFigures {
  // a Map: a VM named "constructor" is a name, not a prototype property
  const byVm = new Map<string, VmProgress>();
  for (const job of jobs) {
    const done = Math.min(job.bytes, Object.hasOwn(jobBytes, job.jobId) ? jobBytes[job.jobId] : 0);
    const vmOf = (name: string) => {
      const vm = byVm.get(name) ?? { bytesDone: 0, bytesTotal: 0 };
      byVm.set(name, vm);
      return vm;
    };
    if (job.parts) {
      // a job of several disks reports only when all are written: each VM is all done or not yet
      for (const part of job.parts) {
        const vm = vmOf(part.vm);
        vm.bytesTotal += part.bytes;
        if (done === job.bytes) vm.bytesDone += part.bytes;
      }
      continue;
    }
    const vm = vmOf(job.vm);
    vm.bytesTotal += job.bytes;
    vm.bytesDone += done;
  }
  let bytesTotal = 0;
  let bytesDone = 0;
  let vmsDone = 0;
  for (const v of byVm.values()) {
    bytesTotal += v.bytesTotal;
    bytesDone += v.bytesDone;
    if (v.bytesDone >= v.bytesTotal) vmsDone++;
  }
  // the event stays bounded: past the limit, only VMs still moving are listed one by one
  const listed =
    byVm.size <= LIMITS.vmsPerEvent ? [...byVm] : [...byVm].filter(([, v]) => v.bytesDone < v.bytesTotal).slice(0, LIMITS.vmsPerEvent);
  const vms = Object.fromEntries(listed);
  const seconds = Math.max((now - Date.parse(since)) / 1000, 0.001);
  const bytesPerSecond = Math.round(bytesDone / seconds);
  const etaSeconds = bytesDone >= bytesTotal ? 0 : bytesPerSecond > 0 ? Math.ceil((bytesTotal - bytesDone) / bytesPerSecond) : null;
  return { bytesDone, bytesTotal, bytesPerSecond, etaSeconds, vms, vmsDone, vmsTotal: byVm.size };
}
