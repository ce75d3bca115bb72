import type { FinalizeWork, PowerOffWork, PrepareWork, RangeJob, ReleaseWork, ReplicateWork } from '@jss/contract';
import { isLastPowerOn } from '@jss/recovery-plans';
import { profileOf } from '../operation-profile';
import type { Task } from '../task';
import { chunkVms, firstMismatch, sameSet } from './same';

// A work message against the record of its task: null when it is what the planner sent for that
// task, else why not. A forged or corrupted message must change nothing (it is dead-lettered).

/** Temporaries for the task's VMs, where the task says. */
export function checkPrepare(task: Task, work: PrepareWork): string | null {
  const { site, cluster, datastore } = task.target;
  const { temporaries: kind, usesRocva: useRocva } = profileOf(task.operation);
  const expected = { domain: task.domain, kind, useRocva, site, cluster, datastore };
  const wrong = firstMismatch(work, { ...expected, network: task.spec.temporaryNetwork });
  if (wrong) return wrong;
  const vms = chunkVms(task, work.chunk);
  if (typeof vms === 'string') return vms;
  if (
    !sameSet(
      work.vms.map((v) => v.name),
      vms,
    )
  )
    return "vms are not the task's";
  // a failback's seeds: exactly the original disks its record names, nothing else is ever copied
  const seeds = new Map((task.spec.failbackBase?.point ? task.spec.failbackBase.seeds : []).map((s) => [s.vm, s.disks]));
  const wrongSeed = work.vms.find((v) => JSON.stringify(v.seed ?? null) !== JSON.stringify(seeds.get(v.name) ?? null));
  return wrongSeed ? `seed of VM ${wrongSeed.name.slice(0, 100)} is not the task's` : null;
}

/** One of the task's range jobs of the current point, into the disk of the task's RVM or Test VM. */
export function checkRange(task: Task, job: RangeJob): string | null {
  const wrong = firstMismatch(job, { domain: task.domain, pointId: task.point.id });
  if (wrong) return wrong;
  const expected = task.jobs?.find((j) => j.jobId === job.jobId);
  if (!expected) return `job ${job.jobId.slice(0, 100)} is not one of the task's`;
  const { parts: expectedParts, ...fields } = expected;
  const jobWrong = firstMismatch(job, fields);
  if (jobWrong) return jobWrong;
  // every range it writes (the job's own, or each part of a job of small disks) into the disk laid out for it
  const layout = new Map((task.layout ?? []).map((v) => [v.name, v]));
  const pathOf = (vm: string, index: number) => layout.get(vm)?.disks.find((d) => d.index === index)?.path;
  if (pathOf(job.vm, job.disk) !== job.diskPath) return "diskPath is not a disk of the task's temporaries";
  if ((expectedParts?.length ?? 0) !== (job.parts?.length ?? 0)) return "parts are not the task's";
  for (const [i, part] of (job.parts ?? []).entries()) {
    const wrong = firstMismatch(part, { ...expectedParts![i] });
    if (wrong) return `part ${i}: ${wrong}`;
    if (pathOf(part.vm, part.disk) !== part.diskPath) return `part ${i}: diskPath is not a disk of the task's temporaries`;
  }
  return null;
}

/** The source VMs the planned failover powers off, and no other. */
export function checkPowerOff(task: Task, work: PowerOffWork): string | null {
  const planned = task.spec.planned;
  if (!planned) return 'the task is not a planned failover';
  if (work.site !== planned.site) return "site is not the task's";
  return sameSet(work.vms, planned.vms) ? null : "vms are not the task's planned source VMs";
}

/** A final recovery point of the planned failover's domain, at its source site. */
export function checkReplicate(task: Task, work: ReplicateWork): string | null {
  if (!task.spec.planned) return 'the task is not a planned failover';
  return firstMismatch(work, { domain: task.domain, site: task.spec.planned.site });
}

/** The task's final VMs (or its Test VMs), from its temporaries' disks; with a recovery plan, one group's. */
export function checkFinalize(task: Task, work: FinalizeWork): string | null {
  const { site, cluster, datastore } = task.target;
  const kind = profileOf(task.operation).temporaries;
  const group = task.spec.recoveryPlan?.steps.find(
    (a) =>
      a.kind === 'power-on' &&
      sameSet(
        a.vms,
        work.vms.map((v) => v.vm),
      ),
  );
  if (task.spec.recoveryPlan && !group) return "vms are not a group of the task's recovery plan";
  const powerOff = !group || isLastPowerOn(task, group) ? (task.spec.powerOffAfter ?? null) : null;
  const expected = { domain: task.domain, kind, site, cluster, datastore, bootOrder: group ? [] : task.spec.bootOrder };
  const wrong = firstMismatch(work, { ...expected, powerOff });
  if (wrong) return wrong;
  const plan = new Map((task.layout ?? []).map((v) => [v.name, v]));
  const finals = new Map(task.spec.finals.map((f) => [f.vm, f]));
  if (work.vms.length !== (group?.kind === 'power-on' ? group.vms.length : plan.size)) return "vms are not the task's";
  for (const vm of work.vms) {
    const planned = plan.get(vm.vm);
    if (!planned || vm.temp !== planned.temp) return `VM ${vm.vm.slice(0, 100)} is not one of the task's`;
    if (kind === 'tvm') {
      if (vm.name !== planned.temp || vm.replace || vm.disks.length) return `Test VM ${vm.name.slice(0, 100)} is not the task's`;
      continue;
    }
    const final = finals.get(vm.vm);
    const mismatch = final && firstMismatch(vm, { ...final, disks: planned.disks.map((d) => d.path) });
    if (!final || mismatch) return `final VM ${vm.name.slice(0, 100)}: ${mismatch ?? 'not planned'}`;
  }
  return null;
}

/** The release of an ending (or ended) task, undoing its results only if it did not complete. */
export function checkRelease(task: Task, work: ReleaseWork): string | null {
  const wrong = firstMismatch(work, { domain: task.domain, site: task.target.site });
  if (wrong) return wrong;
  // undo: the task did not complete, everything it made goes; keep: it did (or waits for its commit), only temporaries go
  const undo = ['failing', 'cancelling', 'rolling-back', 'failed', 'cancelled', 'rolled-back'].includes(task.state);
  if (!undo && !['cleaning', 'completed', 'awaiting-commit'].includes(task.state)) return `the task is ${task.state}, not ending`;
  if (work.removeRecovered !== undo) return `removeRecovered does not match a task that is ${task.state}`;
  const planned = task.spec.planned;
  const powerOn = undo && planned ? { site: planned.site, vms: planned.vms } : null;
  return JSON.stringify(work.powerOn) === JSON.stringify(powerOn) ? null : "powerOn is not the task's planned source VMs";
}
