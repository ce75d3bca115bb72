import { WORK, chunksOf } from '@jss/contract';
import { Manifest } from '@jss/replica';
import { PlanStep, PowerOnSpec, isLastPowerOn } from '@jss/recovery-plans';
import { VmLayout, RangeJobSpec, Task, profileOf } from '@jss/tasks';
import { pointVms } from '../draft/draft';
import { temporaryOf } from '../draft/temporary-names';
import { diskPathsOf, rangeJobsOf } from './range-jobs';
import { Outbound, idsOf, work } from './outbound';

// Pure builders of the work messages a task sends: what each worker is asked to do.

/**
 * The temporaries of a task at a point: the RocVA if the operation uses one, one RVM or Test VM per
 * VM; one message per chunk of the task's VMs (LIMITS.vmsPerMessage), so that none grows with the task.
 */
export function prepareWork(task: Task, point: Manifest): Outbound[] {
  const profile = profileOf(task.operation);
  const seeds = new Map((task.spec.failbackBase?.point ? task.spec.failbackBase.seeds : []).map((s) => [s.vm, s.disks]));
  const disks = new Map(pointVms(point, task.vms).map((v) => [v.name, v.disks.map((d) => d.sizeBytes)]));
  const chunks = chunksOf(task.vms);
  return chunks.map((vms, index) =>
    work(WORK.prepare, {
      ...idsOf(task),
      useRocva: profile.usesRocva,
      kind: profile.temporaries,
      domain: task.domain,
      ...task.target,
      network: task.spec.temporaryNetwork,
      chunk: { index, count: chunks.length },
      vms: vms.map((name) => {
        const seed = seeds.get(name);
        return { name, temp: temporaryOf(task, name), disks: disks.get(name) ?? [], ...(seed && { seed }) };
      }),
    }),
  );
}

/** Range jobs of every disk of the planned VMs at a point (small disks share a job; range-jobs.ts). */
export const jobsOf = (point: Manifest, layout: VmLayout[]): RangeJobSpec[] => rangeJobsOf(point, layout);

/** One rehydrate.range per job; `previousPointId`: the point the disks already hold (a delta round). */
export function rangeWork(
  task: Task,
  layout: VmLayout[],
  pointId: string,
  jobs: RangeJobSpec[],
  previousPointId: string | null,
): Outbound[] {
  const vms = new Map(layout.map((v) => [v.name, v]));
  return jobs.map((job) =>
    work(WORK.range, { ...idsOf(task), domain: task.domain, pointId, previousPointId, ...job, ...diskPathsOf(job, vms) }),
  );
}

/**
 * What a task sends when it reaches finalizing: one finalize of every VM in boot order; none with a
 * recovery plan, whose power-on steps finalize one group at a time (decidePlan, the follow-up).
 */
export function finalizing(task: Task): { send: Outbound[]; then?: 'plan' } {
  return task.spec.recoveryPlan ? { send: [], then: 'plan' } : { send: [finalizeWork(task)] };
}

/**
 * Create the final VMs from the RVMs' disks (or take the Test VMs as they are), then power them on
 * in boot order. With a recovery plan, one group's VMs at a time (the plan is the order; a failback
 * powers its copies off with the last group).
 */
export function finalizeWork(task: Task, group?: PlanStep & PowerOnSpec): Outbound {
  const layout = task.layout!;
  const byName = new Map(layout.map((v) => [v.name, v]));
  const profile = profileOf(task.operation);
  const vms =
    profile.temporaries === 'tvm'
      ? layout.map((v) => ({
          vm: v.name,
          temp: v.temp,
          name: v.temp,
          network: task.spec.temporaryNetwork,
          ip: 'dhcp',
          replace: false,
          disks: [],
        }))
      : task.spec.finals.map((f) => {
          const laidOut = byName.get(f.vm)!;
          return { ...f, temp: laidOut.temp, disks: laidOut.disks.map((d) => d.path) };
        });
  const last = !group || isLastPowerOn(task, group);
  const inGroup = new Set(group?.vms);
  return work(WORK.finalize, {
    ...idsOf(task),
    kind: profile.temporaries,
    domain: task.domain,
    site: task.target.site,
    cluster: task.target.cluster,
    datastore: task.target.datastore,
    vms: group ? vms.filter((v) => inGroup.has(v.vm)) : vms,
    bootOrder: group ? [] : task.spec.bootOrder,
    powerOff: last ? (task.spec.powerOffAfter ?? null) : null,
  });
}

/** Remove the task's temporaries; removeRecovered: it did not complete, so undo all of it, source power included. */
export function releaseWork(task: Task, removeRecovered: boolean): Outbound {
  const planned = task.spec.planned;
  const powerOn = removeRecovered && planned ? { site: planned.site, vms: planned.vms } : null;
  return work(WORK.release, { ...idsOf(task), domain: task.domain, site: task.target.site, removeRecovered, powerOn });
}

/** Planned failover: the source VMs go off before the final point is taken. */
export function powerOffWork(task: Task): Outbound {
  const planned = task.spec.planned!;
  return work(WORK.powerOff, { ...idsOf(task), site: planned.site, vms: planned.vms });
}

/** Planned failover: ask the replication side for a point taken now (after the power-off). */
export function replicateWork(task: Task): Outbound {
  return work(WORK.replicate, { ...idsOf(task), domain: task.domain, site: task.spec.planned!.site });
}
