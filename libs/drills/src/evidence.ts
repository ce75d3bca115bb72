import { EVIDENCE_VERSION, Evidence, REASONS, evidenceHash } from '@jss/contract';
import { partsOf } from '@jss/recovery';
import { JobStats, Task } from '@jss/tasks';
import type { Drill, RemovedVm } from './drill';

/** The objective the RTO is held to: the domain's recovery plan's when it sets one, else the schedule's. */
function objectiveOf(drill: Drill, task: Task | null): Pick<Evidence['rto'], 'objectiveSeconds' | 'objectiveFrom'> {
  const fromPlan = task?.spec.recoveryPlan?.rtoObjectiveSeconds;
  if (fromPlan) return { objectiveSeconds: fromPlan, objectiveFrom: 'plan' };
  const fromSchedule = drill.schedule.rtoObjectiveSeconds;
  return fromSchedule === null
    ? { objectiveSeconds: null, objectiveFrom: null }
    : { objectiveSeconds: fromSchedule, objectiveFrom: 'schedule' };
}

/** When each VM's last range was written. */
function rehydratedAt(task: Task, stats: Record<string, JobStats>): Map<string, string> {
  const last = new Map<string, string>();
  for (const job of task.jobs ?? []) {
    const done = stats[job.jobId]?.doneAt;
    if (!done) continue;
    for (const part of partsOf(job)) if (done > (last.get(part.vm) ?? '')) last.set(part.vm, done);
  }
  return last;
}

/** Why the drill failed, or null when it passed: the drill's own reason first, then the task's, then what it left. */
function verdict(drill: Drill, task: Task | null, vms: Evidence['vms'], removed: RemovedVm[]): { reason: string; message: string } | null {
  if (drill.error) return drill.error;
  if (!task) return { reason: REASONS.internalError, message: 'the drill has no task' };
  if (task.error) return task.error;
  if (task.state !== 'completed' || !vms.length || vms.some((v) => !v.checkPassedAt)) {
    const failing = vms.find((v) => !v.checkPassedAt);
    return {
      reason: REASONS.checkFailed,
      message: `the test failover ended ${task.state}${failing ? `; ${failing.name}: ${failing.check}` : ''} before every check passed`,
    };
  }
  const left = removed.filter((r) => !r.gone && !r.sharedWith?.length);
  if (left.length) {
    return { reason: REASONS.cleanupIncomplete, message: `still on the platform after the drill: ${left.map((r) => r.name).join(', ')}` };
  }
  return null;
}

/** The evidence report of an ended drill, its hash included. */
export function evidenceOf(drill: Drill, task: Task | null, stats: Record<string, JobStats>): Evidence {
  const endedAt = drill.endedAt!;
  const removed = drill.removed ?? [];
  const written = task ? rehydratedAt(task, stats) : new Map<string, string>();
  const vmReports = new Map((task?.report?.vms ?? []).map((v) => [v.name, v]));
  const vms: Evidence['vms'] = (task?.layout ?? []).map((p) => {
    const up = task!.recovered?.find((r) => r.vm === p.name);
    const check = drill.checks?.[p.name];
    return {
      vm: p.name,
      name: p.temp,
      site: task!.target.site,
      ip: check?.ip ?? up?.ip ?? null,
      createdAt: check?.createdAt ?? null,
      rehydratedAt: written.get(p.name) ?? null,
      poweredOnAt: up?.poweredOnAt ?? null,
      checkPassedAt: check?.passedAt ?? null,
      check: check?.message ?? 'not checked: the Test VMs were never up',
      bytes: vmReports.get(p.name)?.bytes ?? 0,
      bytesRead: vmReports.get(p.name)?.bytesRead ?? 0,
    };
  });
  const failure = verdict(drill, task, vms, removed);
  const rtoSeconds = task?.report?.rtoSeconds ?? null;
  const { objectiveSeconds: objective, objectiveFrom } = objectiveOf(drill, task);
  const s = drill.schedule;
  const report: Omit<Evidence, 'sha256'> = {
    version: EVIDENCE_VERSION,
    id: drill.id,
    domain: drill.domain,
    outcome: failure ? 'failed' : 'passed',
    reason: failure?.reason ?? null,
    message: failure?.message ?? null,
    schedule: { every: s.every, scheduledBy: s.scheduledBy, scheduledAt: s.scheduledAt, dueAt: drill.dueAt },
    taskId: task?.id ?? null,
    recoveryPoint: task ? task.point : null,
    target: task ? task.target : null,
    startedAt: drill.startedAt,
    endedAt,
    rto: {
      seconds: rtoSeconds,
      objectiveSeconds: objective,
      objectiveFrom,
      met: objective === null || rtoSeconds === null ? null : rtoSeconds <= objective,
    },
    bytes: { total: task?.bytesTotal ?? 0, read: vms.reduce((n, v) => n + v.bytesRead, 0) },
    vms,
    steps: task?.report?.plan?.steps ?? [],
    removed: removed.map((r) => ({
      name: r.name,
      kind: r.kind,
      site: r.site,
      goneAt: r.gone ? endedAt : null,
      ...(r.sharedWith?.length && { sharedWith: r.sharedWith }),
    })),
  };
  return { ...report, sha256: evidenceHash(report) };
}
