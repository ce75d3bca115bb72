import { EVENTS, Finalized } from '@jss/contract';
import { metrics } from '@jss/observability';
import { profileOf } from '@jss/tasks';
import { Step, taskIn } from './decision';
import { event, idsOf } from './outbound';
import { releaseWork } from './work-messages';

/** The final VMs (or the Test VMs) are up: a test waits for its cleanup; anything else removes its temporaries. */
export const finalizedStep: Step<Finalized> = async (ctx, msg) => {
  const task = await taskIn(ctx, msg.taskId, ['finalizing']);
  if (!task) return null;
  const onMoved = () => {
    const last = msg.vms.map((v) => v.poweredOnAt).sort().at(-1);
    if (last) metrics.taskRto.observe({ operation: task.operation }, (Date.parse(last) - Date.parse(task.createdAt)) / 1000);
  };
  if (!profileOf(task.operation).holdsUntilCleanup) {
    return { task, move: { from: ['finalizing'], to: 'cleaning', patch: { recovered: msg.vms } }, send: [releaseWork(task, false)], onMoved };
  }
  const ttl = task.spec.ttlSeconds;
  const expiresAt = ttl ? new Date(Date.now() + ttl * 1000).toISOString() : undefined;
  const ready = event(EVENTS.taskReady, { ...idsOf(task), vms: msg.vms.map(({ poweredOnAt: _p, ...v }) => v), expiresAt: expiresAt ?? null });
  return { task, move: { from: ['finalizing'], to: 'testing', patch: { recovered: msg.vms, expiresAt } }, send: [ready], onMoved };
};
