import type { Finalized, Prepared, RangeDone, RangeProgress } from '@jss/contract';
import { profileOf } from '../operation-profile';
import type { Task } from '../task';
import { chunkVms, sameSet } from './same';

// A reply against the record of its task: null when it answers what the task sent, else why not.

/** Temporaries of one chunk of the task's VMs, their disks in the temporary's folder of a datastore. */
export function checkPrepared(task: Task, reply: Prepared): string | null {
  const vms = chunkVms(task, reply.chunk);
  if (typeof vms === 'string') return vms;
  if (
    !sameSet(
      reply.temporaries.map((t) => t.vm),
      vms,
    )
  )
    return "temporaries are not of the task's VMs";
  for (const t of reply.temporaries) {
    // `[<datastore>] <temporary>/<file>`: the platform's own datastore name (vSphere's may differ from the site's)
    const inFolder = (p: string) =>
      /^\[[^\]/\0]+\] /.test(p) &&
      p.slice(p.indexOf('] ') + 2).startsWith(`${t.name}/`) &&
      !p.slice(p.indexOf('] ') + 2 + t.name.length + 1).includes('/');
    if (!t.name.startsWith('jss-') || t.disks.some((d) => !inFolder(d.path))) {
      return `temporary ${t.name.slice(0, 100)} is not where the task put it`;
    }
  }
  return null;
}

/**
 * A job the task sent. A report of an earlier round of a continuous failover (its id names another
 * point) is let through: it is ignored, as it always was.
 */
export function checkRangeReply(task: Task, reply: RangeDone | RangeProgress): string | null {
  if (!reply.jobId.startsWith(`${task.point.id}/`)) return null;
  return task.jobs?.some((j) => j.jobId === reply.jobId) ? null : `job ${reply.jobId.slice(0, 100)} is not one of the task's`;
}

/** The task's VMs, under the names it gave them. */
export function checkFinalized(task: Task, reply: Finalized): string | null {
  const names = new Map(task.spec.finals.map((f) => [f.vm, f.name]));
  for (const p of task.layout ?? []) if (profileOf(task.operation).temporaries === 'tvm') names.set(p.name, p.temp);
  const bad = reply.vms.find((v) => names.get(v.vm) !== v.name || v.site !== task.target.site);
  return bad ? `VM ${bad.vm.slice(0, 100)} is not one of the task's` : null;
}
