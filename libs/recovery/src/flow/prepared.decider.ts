import { Prepared, chunksOf } from '@jss/contract';
import { StartedFrom, Task, VmLayout } from '@jss/tasks';
import { Decider, taskIn } from './decision';
import { vanishedDecision } from './end';
import { jobsOf, rangeWork } from './work-messages';

/** A chunk of the temporaries exists: kept; once every chunk has come, the task moves on (check-prepared). */
export const decidePrepared: Decider<Prepared> = async (ctx, msg) => {
  const task = await ctx.tasks.fields(msg.taskId, 'id', 'commandId', 'traceparent', 'state');
  if (task?.state !== 'provisioning') return null;
  // the follow-up reads the chunks after this one is written: of two last chunks at once, the later sees both
  return { task, record: [{ kind: 'prepared', reply: msg }], send: [], then: 'check-prepared' };
};

/**
 * The temporaries exist (every chunk of them): split every disk into range jobs and send them out.
 * A failback's RVMs that start as copies of their original disks get a delta round over the base
 * point (only the blocks changed since are read and written); the others a full one.
 */
export const decideAllPrepared: Decider<{ taskId: string }> = async (ctx, { taskId }) => {
  const task = await taskIn(ctx, taskId, ['provisioning']);
  if (!task) return null;
  const chunks = await ctx.tasks.preparedChunks(taskId);
  if (chunks.length < chunksOf(task.vms).length) return null;
  const msg = { rocva: chunks[0].rocva, temporaries: chunks.flatMap((c) => c.temporaries) };
  const point = await ctx.point(task, task.point.id);
  if (!point) return vanishedDecision(task);
  const layout: VmLayout[] = msg.temporaries.map((t) => ({
    name: t.vm,
    temp: t.name,
    tempIp: t.ip,
    disks: t.disks.map((d, index) => ({ index, ...d })),
  }));
  const startedFrom = startedFromOf(task, msg);
  const base = task.spec.failbackBase?.point?.id ?? null;
  const copied = new Set(startedFrom?.filter((s) => s.kind === 'original-copy').map((s) => s.vm));
  const deltaJobs = jobsOf(
    point,
    layout.filter((v) => copied.has(v.name)),
  );
  const fullJobs = jobsOf(
    point,
    layout.filter((v) => !copied.has(v.name)),
  );
  const jobs = [...deltaJobs, ...fullJobs];
  const patch = {
    rocva: msg.rocva,
    layout,
    jobs,
    jobCount: jobs.length,
    rehydratingAt: new Date().toISOString(),
    ...(startedFrom && { startedFrom }),
  };
  return {
    task,
    move: { from: ['provisioning'], to: 'rehydrating', patch },
    send: [...rangeWork(task, layout, point.id, deltaJobs, base), ...rangeWork(task, layout, point.id, fullJobs, null)],
    then: 'check-rehydrated',
  };
};

/** Failback: each VM's disks started as copies of its originals (holding the base point), or empty and why. */
function startedFromOf(task: Task, msg: Pick<Prepared, 'temporaries'>): StartedFrom[] | undefined {
  const base = task.spec.failbackBase;
  if (!base) return undefined;
  const temps = new Map(msg.temporaries.map((t) => [t.vm, t]));
  return task.vms.map((vm) => {
    const seeded = base.point && base.seeds.some((s) => s.vm === vm) ? temps.get(vm)?.seeded : undefined;
    if (seeded?.copied) return { vm, kind: 'original-copy', pointId: base.point!.id, reason: null };
    const reason = seeded?.reason ?? base.full.find((f) => f.vm === vm)?.reason ?? 'its original disks were not copied';
    return { vm, kind: 'empty', pointId: null, reason };
  });
}
