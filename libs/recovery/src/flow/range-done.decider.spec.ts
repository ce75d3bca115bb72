import { deciderContext, MiB, manifestOf, rangeReport, rehydrating, sentKeys } from '@jss/testing';
import { decideRangeDone } from './range-done.decider';

const point = manifestOf('shop', { app: 300 * MiB });

describe('decideRangeDone', () => {
  it('records the job done with its figures for the report, progress, then check-rehydrated', async () => {
    const task = rehydrating('continuous-failover', point);
    const job = task.jobs![0];
    const stats = { bytesRead: MiB, blocksRead: 1, blocksZero: 255, blocksUnchanged: 0, startedAt: new Date().toISOString() };
    const d = await decideRangeDone(deciderContext([{ task }]), { ...rangeReport(task, job.jobId, job.bytes), ...stats });
    expect(d?.record).toEqual([
      { kind: 'job', jobId: job.jobId, bytes: job.bytes, finished: true, stats: { ...stats, doneAt: expect.any(String) } },
    ]);
    expect(sentKeys(d)).toEqual(['task.progress']);
    expect(d?.then).toBe('check-rehydrated');
  });

  it('throttled: still recorded and checked for the last one', async () => {
    const task = rehydrating('failover', point);
    const job = task.jobs![0];
    const msg = {
      ...rangeReport(task, job.jobId, job.bytes),
      bytesRead: 0,
      blocksRead: 0,
      blocksZero: 0,
      blocksUnchanged: 0,
      startedAt: task.createdAt,
    };
    const d = await decideRangeDone(deciderContext([{ task, throttled: ['progress'] }]), msg);
    expect(d).toMatchObject({ send: [], then: 'check-rehydrated', record: [{ kind: 'job', finished: true }] });
  });
});
