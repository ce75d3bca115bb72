import type { RangeJob } from '@jss/contract';
import { createLogger } from '@jss/observability';
import { FlowFixture, MiB } from '@jss/testing';
import { TaskMonitor } from './task-monitor';

/** The monitor's moves on a new point (point.created), against a real Redis and replica, publishing into a recorder. */
describe('TaskMonitor.pointLanded', () => {
  const spec = FlowFixture.forSpec({ beforeAll, afterAll, beforeEach }, 'crm', { front: 3 * MiB });
  let fx: FlowFixture;
  let monitor: TaskMonitor;
  beforeAll(() => {
    fx = spec.fx;
    monitor = new TaskMonitor(fx.tasks, fx.published, fx.flow, createLogger('test', 'silent'), 60);
  });

  it("starts a standby continuous failover's delta round for a point of its domain, and nothing for another domain's", async () => {
    const task = await fx.rehydrating('continuous-failover', spec.point);
    await fx.finishJobs(task);
    expect(await fx.state(task.id)).toBe('standby');
    const newer = await fx.writer.snapshot('crm', { changePercent: 34, seed: 7 });
    fx.published.take();

    await monitor.pointLanded(new Set(['erp']));
    expect(await fx.state(task.id)).toBe('standby');
    expect(fx.published.keys()).toEqual([]);

    await monitor.pointLanded(new Set(['erp', 'crm']));
    expect(await fx.state(task.id)).toBe('rehydrating');
    const jobs = fx.sentWork<RangeJob>('rehydrate.range');
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.pointId === newer.id && j.previousPointId === spec.point.id)).toBe(true);
  });
});
