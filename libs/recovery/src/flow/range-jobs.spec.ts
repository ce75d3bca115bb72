import { Manifest } from '@jss/replica';
import { VmLayout } from '@jss/tasks';
import { progressOf } from '../progress';
import { BUNDLE_PARTS, diskPathsOf, rangeJobsOf } from './range-jobs';
import { reportOf } from '../report';

const MiB = 1 << 20;

function pointOf(sizes: number[]): { point: Manifest; layout: VmLayout[] } {
  const vms = sizes.map((size, i) => ({
    name: `vm-${i}`,
    disks: [{ index: 0, sizeBytes: size, blocks: Array.from({ length: Math.ceil(size / MiB) }, () => null) }],
  }));
  const point = {
    version: 1,
    id: 'rp-1',
    domain: 'd',
    time: '2026-01-01T00:00:00.000Z',
    blockSize: MiB,
    parent: null,
    site: 'primary',
    vms,
  } as unknown as Manifest;
  const layout = vms.map((v) => ({
    name: v.name,
    temp: `t-${v.name}`,
    tempIp: null,
    disks: [{ index: 0, path: `[ds] ${v.name}.img` }],
  })) as unknown as VmLayout[];
  return { point, layout };
}

describe('rangeJobsOf', () => {
  it('bundles small disks into shared jobs and cuts large ones into ranges', () => {
    const { point, layout } = pointOf([...Array.from({ length: 150 }, () => MiB), 600 * MiB, MiB + 123]);
    const jobs = rangeJobsOf(point, layout);
    const bundles = jobs.filter((j) => j.parts);
    // 151 small disks (the big one in between goes alone): 64 + 64 + 23; the big one: 3 ranges of 256 MiB
    expect(bundles.map((j) => j.parts!.length)).toEqual([BUNDLE_PARTS, BUNDLE_PARTS, 23]);
    expect(jobs.filter((j) => j.vm === 'vm-150').map((j) => [j.blockCount, j.parts])).toEqual([
      [256, undefined],
      [256, undefined],
      [88, undefined],
    ]);
    expect(jobs.at(-1)!.parts!.at(-1)).toMatchObject({ vm: 'vm-151', bytes: MiB + 123, blockCount: 2 });
    // every disk's bytes appear exactly once
    const bytesOf = new Map<string, number>();
    for (const j of jobs) for (const p of j.parts ?? [j]) bytesOf.set(p.vm, (bytesOf.get(p.vm) ?? 0) + p.bytes);
    expect(bytesOf.get('vm-0')).toBe(MiB);
    expect(bytesOf.get('vm-150')).toBe(600 * MiB);
    expect(bundles.every((j) => j.bytes === j.parts!.reduce((n, p) => n + p.bytes, 0))).toBe(true);
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(jobs.length);
    // each part of a message names its own disk
    const work = diskPathsOf(bundles[0], new Map(layout.map((v) => [v.name, v])));
    expect(work.parts!.map((p) => p.diskPath).slice(0, 2)).toEqual(['[ds] vm-0.img', '[ds] vm-1.img']);
  });

  it('keeps per-VM progress and the report exact for shared jobs', () => {
    const { point, layout } = pointOf([MiB, 2 * MiB, 3 * MiB]);
    const [job] = rangeJobsOf(point, layout);
    expect(job.parts).toHaveLength(3);
    const before = progressOf([job], {}, '2026-01-01T00:00:00.000Z');
    expect(before.vms).toEqual({
      'vm-0': { bytesDone: 0, bytesTotal: MiB },
      'vm-1': { bytesDone: 0, bytesTotal: 2 * MiB },
      'vm-2': { bytesDone: 0, bytesTotal: 3 * MiB },
    });
    const after = progressOf([job], { [job.jobId]: job.bytes }, '2026-01-01T00:00:00.000Z');
    expect(after.vms['vm-1']).toEqual({ bytesDone: 2 * MiB, bytesTotal: 2 * MiB });
    expect(after.bytesDone).toBe(6 * MiB);
    const part = (n: number) => ({ bytesRead: n, blocksRead: n, blocksZero: 0, blocksUnchanged: 0 });
    const task = {
      id: 't',
      commandId: 'c',
      operation: 'failover',
      domain: 'd',
      createdAt: '2026-01-01T00:00:00.000Z',
      spec: {},
      layout,
      jobs: [job],
    };
    const report = reportOf(task as never, 'completed', {
      [job.jobId]: {
        ...part(6),
        parts: [part(1), part(2), part(3)],
        startedAt: '2026-01-01T00:00:01.000Z',
        doneAt: '2026-01-01T00:00:02.000Z',
      },
    });
    expect(report.vms.map((v) => [v.name, v.bytes, v.blocksRead, v.rehydrationSeconds])).toEqual([
      ['vm-0', MiB, 1, 1],
      ['vm-1', 2 * MiB, 2, 1],
      ['vm-2', 3 * MiB, 3, 1],
    ]);
  });
});
