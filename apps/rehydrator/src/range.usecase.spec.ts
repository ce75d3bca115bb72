import path from 'node:path';
import { AmqpBus, Messenger } from '@jss/bus';
import { loadEnv } from '@jss/config';
import { RangeJob } from '@jss/contract';
import { createLogger } from '@jss/observability';
import { DiskHandle, Platform } from '@jss/platform';
import { writeGeneratedImage } from '@jss/replica';
import { TaskRecords } from '@jss/tasks';
import { FlowFixture, MiB, RecordingPublisher, diskHashes, partial, sha256File } from '@jss/testing';
import { RangeUseCase } from './range.usecase';

/**
 * rehydrate.range as the planner's flow sends it, into an RVM on the simulated platform from a real
 * replica; the replies are recorded, and the bus gives only its stopping signal (test/rehydration.e2e-spec.ts
 * and test/shutdown.e2e-spec.ts run it with the real bus).
 */
describe('RangeUseCase', () => {
  const held = FlowFixture.withSim({ beforeAll, afterAll, beforeEach }, 'spare', { x: MiB });
  const published = new RecordingPublisher();
  let useCase: RangeUseCase;
  let letFirstSync: (() => void) | undefined;
  afterEach(() => letFirstSync?.()); // a test that failed waiting must not leave a range held

  /**
   * A use case with one turn (REHYDRATOR_JOBS=1) on the simulated platform, each disk's writes and
   * its sync passed through `hooks` first (n: the order in which the disk was opened, from 1).
   */
  const oneTurn = (hooks: { write?: (n: number) => unknown; sync?: (n: number) => unknown }) => {
    let opened = 0;
    const platform = partial<Platform>({
      openDisk: async (diskPath: string): Promise<DiskHandle> => {
        const n = ++opened;
        const disk = await held.sim.platform.openDisk(diskPath);
        const { writev } = disk;
        if (!writev) throw new Error('the simulated platform’s disks write with writev');
        return {
          sizeBytes: disk.sizeBytes,
          ioMode: disk.ioMode,
          write: async (b, at) => (await hooks.write?.(n), disk.write(b, at)),
          writev: async (bs, at) => (await hooks.write?.(n), writev.call(disk, bs, at)),
          sync: async () => (await hooks.sync?.(n), disk.sync()),
          close: () => disk.close(),
        };
      },
    });
    const { fx } = held;
    const useCase = new RangeUseCase(
      partial<Messenger>(published),
      partial<AmqpBus>({ stopping: new AbortController().signal }),
      fx.replica,
      fx.tasks,
      new TaskRecords(fx.tasks),
      fx.store,
      platform,
      loadEnv({ ...process.env, REHYDRATOR_JOBS: '1' }),
      createLogger('spec', 'silent'),
    );
    return { useCase, opened: () => opened };
  };
  beforeAll(async () => {
    const { fx } = held;
    const bus = partial<AmqpBus>({ stopping: new AbortController().signal });
    const env = loadEnv();
    const log = createLogger('spec', 'silent');
    const records = new TaskRecords(fx.tasks);
    useCase = new RangeUseCase(partial<Messenger>(published), bus, fx.replica, fx.tasks, records, fx.store, held.sim.platform, env, log);
  });

  it('every range of the point written into the RVM’s disk: its bytes are the protected disk’s, each range replied done with its figures', async () => {
    const image = path.join(held.sim.dataDir, 'db.img');
    await writeGeneratedImage(image, 3 * MiB, 7, 'db');
    const point = await held.fx.writer.writePoint('crm', [{ name: 'db', source: { file: image } }]);
    const { task, rvms } = await held.fx.rehydratingOn(held.sim.platform, point);
    const jobs = held.fx.sentWork<RangeJob>('rehydrate.range');
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) await useCase.execute(job);
    expect(await diskHashes(held.sim.platform, rvms[0])).toEqual([await sha256File(image)]);
    const done = published.take();
    expect(done.map((p) => p.key)).toEqual(jobs.map(() => 'reply.range-done'));
    expect(done.map((p) => p.data)).toEqual(
      jobs.map((j) => expect.objectContaining({ taskId: task.id, jobId: j.jobId, bytesDone: j.bytes, startedAt: expect.any(String) })),
    );
  });

  it('the next range reads and writes while the one before waits for its fsync, not before its writes are done', async () => {
    const image = path.join(held.sim.dataDir, 'web.img');
    await writeGeneratedImage(image, 3 * MiB, 11, 'web');
    const point = await held.fx.writer.writePoint('shop', [{ name: 'web', source: { file: image } }]);
    const { rvms } = await held.fx.rehydratingOn(held.sim.platform, point);
    const [job] = held.fx.sentWork<RangeJob>('rehydrate.range');
    // the same range twice, the first one's fsync held until the second has replied
    const steps: string[] = [];
    const firstSyncHeld = new Promise<void>((resolve) => (letFirstSync = resolve));
    const { useCase: overlapping } = oneTurn({
      write: (n) => steps.push(`${n} write`),
      sync: async (n) => {
        steps.push(`${n} sync`);
        if (n === 1) await firstSyncHeld;
      },
    });
    const first = overlapping.execute(job);
    await overlapping.execute(job); // returns only if it could run while the first one's fsync is held
    expect(steps.indexOf('2 write')).toBeGreaterThan(steps.lastIndexOf('1 write'));
    expect(steps.indexOf('2 write')).toBeGreaterThan(steps.indexOf('1 sync'));
    letFirstSync!();
    await first;
    expect(await diskHashes(held.sim.platform, rvms[0])).toEqual([await sha256File(image)]);
    expect(published.take().map((p) => p.key)).toEqual(['reply.range-done', 'reply.range-done']);
  });

  it('a range that waited for its turn while its task was cancelled reads and writes nothing', async () => {
    const { fx } = held;
    const ranges = [];
    for (const domain of ['erp', 'hr']) {
      const image = path.join(held.sim.dataDir, `${domain}.img`);
      await writeGeneratedImage(image, 3 * MiB, 13, domain);
      const { task } = await fx.rehydratingOn(
        held.sim.platform,
        await fx.writer.writePoint(domain, [{ name: `${domain}-app`, source: { file: image } }]),
      );
      ranges.push({ task, job: fx.sentWork<RangeJob>('rehydrate.range')[0] });
    }
    // the first task's range holds its first write, so that the second task's waits for the one turn
    const writeHeld = new Promise<void>((resolve) => (letFirstSync = resolve));
    const { useCase: shared, opened } = oneTurn({ write: () => writeHeld });
    const first = shared.execute(ranges[0].job);
    const second = shared.execute(ranges[1].job);
    await fx.tasks.patch(ranges[1].task.id, { state: 'cancelling' });
    letFirstSync!();
    await Promise.all([first, second]);
    expect(opened()).toBe(1);
    expect(published.take().map((p) => [p.key, (p.data as { taskId: string }).taskId])).toEqual([['reply.range-done', ranges[0].task.id]]);
  });

  it('a range that does not match its task (another point) is dead-lettered and writes nothing', async () => {
    const { rvms } = await held.fx.rehydratingOn(held.sim.platform, held.point);
    const [job] = held.fx.sentWork<RangeJob>('rehydrate.range');
    const before = await diskHashes(held.sim.platform, rvms[0]);
    await expect(useCase.execute({ ...job, pointId: 'other-point' })).rejects.toThrow(/does not match task/);
    expect(await diskHashes(held.sim.platform, rvms[0])).toEqual(before);
    expect(published.take()).toEqual([]);
  });
});
