import { EVENTS, Finalized } from '@jss/contract';
import { metrics } from '@jss/observability';
import { Task, profileOf } from '@jss/tasks';
import { Decision } from './decision';
import { event, idsOf } from './outbound';
import { releaseWork } from './work-messages';

const after = (seconds?: number) => (seconds ? new Date(Date.now() + seconds * 1000).toISOString() : undefined);

/** Every VM of the task is up (`vms`: each with when it was powered on): what comes after. */
export function upDecision(task: Task, all: Finalized['vms']): Decision {
  const onMoved = () => {
    const last = all
      .map((v) => v.poweredOnAt)
      .sort()
      .at(-1);
    if (last) metrics.taskRto.observe({ operation: task.operation }, (Date.parse(last) - Date.parse(task.createdAt)) / 1000);
  };
  const vms = all.map(({ poweredOnAt: _p, ...v }) => v);
  const { commit } = task.spec;
  if (profileOf(task.operation).holdsUntilCleanup) {
    const expiresAt = after(task.spec.ttlSeconds);
    const ready = event(EVENTS.taskReady, { ...idsOf(task), vms, expiresAt: expiresAt ?? null });
    return { task, move: { from: ['finalizing'], to: 'testing', patch: { recovered: all, expiresAt } }, send: [ready], onMoved };
  }
  if (commit) {
    // the VMs stay; the temporaries go now (the janitor's reply finds the task waiting and ends nothing)
    const expiresAt = commit.policy === 'manual' ? undefined : after(commit.afterSeconds);
    const ready = event(EVENTS.taskReady, { ...idsOf(task), vms, expiresAt: expiresAt ?? null, commit: commit.policy });
    const move = { from: ['finalizing'] as const, to: 'awaiting-commit' as const, patch: { recovered: all, expiresAt } };
    return { task, move, send: [ready, releaseWork(task, false)], onMoved };
  }
  return { task, move: { from: ['finalizing'], to: 'cleaning', patch: { recovered: all } }, send: [releaseWork(task, false)], onMoved };
}
