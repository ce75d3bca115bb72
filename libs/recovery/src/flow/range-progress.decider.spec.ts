import { TaskBook, deciderContext, MiB, manifestOf, rangeReport, rehydrating, sentData, sentKeys } from '@jss/testing';
import { decideRangeProgress } from './range-progress.decider';

const point = manifestOf('shop', { app: 300 * MiB });

describe('decideRangeProgress', () => {
  it('records the job’s bytes and sends task.progress with them, under the progress throttle', async () => {
    const task = rehydrating('failover', point);
    const [first, second] = task.jobs!;
    const book: TaskBook = { task, bytes: { [first.jobId]: 10 * MiB, [second.jobId]: 4 * MiB } };
    const d = await decideRangeProgress(deciderContext([book]), rangeReport(task, second.jobId, 6 * MiB));
    expect(d?.record).toEqual([{ kind: 'job', jobId: second.jobId, bytes: 6 * MiB, finished: false }]);
    expect(d?.throttle).toEqual({ what: 'progress', ms: 500 });
    expect(sentData(d, 'task.progress')).toMatchObject({ bytesDone: 16 * MiB, bytesTotal: 300 * MiB });
  });

  it('a late report lower than what the job reached does not lower the figures', async () => {
    const task = rehydrating('failover', point);
    const job = task.jobs![0].jobId;
    const d = await decideRangeProgress(deciderContext([{ task, bytes: { [job]: 20 * MiB } }]), rangeReport(task, job, 5 * MiB));
    expect(sentData(d, 'task.progress')).toMatchObject({ bytesDone: 20 * MiB });
  });

  it('within the throttle interval: the bytes recorded, nothing sent', async () => {
    const task = rehydrating('failover', point);
    const d = await decideRangeProgress(deciderContext([{ task, throttled: ['progress'] }]), rangeReport(task, task.jobs![0].jobId, MiB));
    expect(d).toEqual({ task: { id: task.id, commandId: task.commandId }, record: [expect.objectContaining({ kind: 'job' })], send: [] });
  });

  it('bytes that end a stall: progress at once (no throttle) and the stall flag cleared', async () => {
    const task = rehydrating('failover', point);
    const book: TaskBook = { task, stalled: true, throttled: ['progress'] };
    const d = await decideRangeProgress(deciderContext([book]), rangeReport(task, task.jobs![0].jobId, MiB));
    expect(d?.record?.map((r) => r.kind)).toEqual(['job', 'unstall']);
    expect(d?.throttle).toBeUndefined();
    expect(sentKeys(d)).toEqual(['task.progress']);
  });

  it('a job of another round or point, or a task not rehydrating, counts for nothing', async () => {
    const task = rehydrating('failover', point);
    const ctx = deciderContext([{ task }, { task: { ...task, id: 'ended', state: 'cancelling' } }]);
    expect(await decideRangeProgress(ctx, rangeReport(task, `rp-other/app/0/0`, MiB))).toBeNull();
    expect(await decideRangeProgress(ctx, rangeReport(task, `${point.id}-x/app/0/0`, MiB))).toBeNull();
    expect(await decideRangeProgress(ctx, { ...rangeReport(task, task.jobs![0].jobId, MiB), taskId: 'ended' })).toBeNull();
  });
});
