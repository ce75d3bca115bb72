import { EVENTS, Finalized } from '@jss/contract';
import { metrics } from '@jss/observability';
import { profileOf } from '@jss/tasks';
import { Step, taskIn } from './decision';
import { event, idsOf } from './outbound';
import { releaseWork } from './work-messages';

const after = (seconds?: number) => (seconds ? new Date(Date.now() + seconds * 1000).toISOString() : undefined);

/**
 * The final VMs (or the Test VMs) are up: a test waits for its cleanup, a failover with a commit
 * policy for its commit or rollback; anything else removes its temporaries and ends.
 */
export const finalizedStep: Step<Finalized> = async (ctx, msg) => {
  const task = await taskIn(ctx, msg.taskId, ['finalizing']);
  if (!task) return null;
  const onMoved = () => {
    const last = msg.vms
      .map((v) => v.poweredOnAt)
      .sort()
      .at(-1);
    if (last) metrics.taskRto.observe({ operation: task.operation }, (Date.parse(last) - Date.parse(task.createdAt)) / 1000);
  };
  const vms = msg.vms.map(({ poweredOnAt: _p, ...v }) => v);
  const { commit } = task.spec;
  if (profileOf(task.operation).holdsUntilCleanup) {
    const expiresAt = after(task.spec.ttlSeconds);
    const ready = event(EVENTS.taskReady, { ...idsOf(task), vms, expiresAt: expiresAt ?? null });
    return { task, move: { from: ['finalizing'], to: 'testing', patch: { recovered: msg.vms, expiresAt } }, send: [ready], onMoved };
  }
  if (commit) {
    // the VMs stay; the temporaries go now (the janitor's reply finds the task waiting and ends nothing)
    const expiresAt = commit.policy === 'manual' ? undefined : after(commit.afterSeconds);
    const ready = event(EVENTS.taskReady, { ...idsOf(task), vms, expiresAt: expiresAt ?? null, commit: commit.policy });
    const move = { from: ['finalizing'] as const, to: 'awaiting-commit' as const, patch: { recovered: msg.vms, expiresAt } };
    return { task, move, send: [ready, releaseWork(task, false)], onMoved };
  }
  return { task, move: { from: ['finalizing'], to: 'cleaning', patch: { recovered: msg.vms } }, send: [releaseWork(task, false)], onMoved };
};
