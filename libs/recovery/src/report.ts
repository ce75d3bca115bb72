import { TaskReportData, VmReport } from '@jss/contract';
import { JobStats, Task } from '@jss/tasks';

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

/** What a finished task did, per VM: bytes, blocks skipped, rehydration time, time to power-on; and the RTO. */
export function reportOf(
  task: Task,
  outcome: TaskReportData['outcome'],
  stats: Record<string, JobStats>,
  now = new Date(),
): TaskReportData {
  const vms: VmReport[] = (task.plan ?? []).map((vm) => {
    const jobs = (task.jobs ?? []).filter((j) => j.vm === vm.name).map((j) => ({ job: j, s: stats[j.jobId] }));
    const done = jobs.filter((x) => x.s);
    const started = done.map((x) => x.s!.startedAt).sort()[0];
    const ended = done
      .map((x) => x.s!.doneAt)
      .sort()
      .at(-1);
    const poweredOnAt = task.recovered?.find((r) => r.vm === vm.name)?.poweredOnAt;
    return {
      name: vm.name,
      bytes: jobs.reduce((n, x) => n + x.job.bytes, 0),
      bytesRead: done.reduce((n, x) => n + x.s!.bytesRead, 0),
      blocksRead: done.reduce((n, x) => n + x.s!.blocksRead, 0),
      blocksSkippedZero: done.reduce((n, x) => n + x.s!.blocksZero, 0),
      blocksSkippedUnchanged: done.reduce((n, x) => n + x.s!.blocksUnchanged, 0),
      rehydrationSeconds: started && ended ? seconds(started, ended) : 0,
      powerOnSeconds: poweredOnAt ? seconds(task.createdAt, poweredOnAt) : null,
    };
  });
  const lastPowerOn = (task.recovered ?? [])
    .map((r) => r.poweredOnAt)
    .sort()
    .at(-1);
  return {
    taskId: task.id,
    commandId: task.commandId,
    requestedBy: task.requestedBy,
    operation: task.operation,
    domain: task.domain,
    outcome,
    rtoSeconds: lastPowerOn ? seconds(task.createdAt, lastPowerOn) : null,
    durationSeconds: seconds(task.createdAt, now.toISOString()),
    vms,
  };
}
