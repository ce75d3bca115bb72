import { LIMITS } from '@jss/contract';
import { rangeJobsOf } from './flow/range-jobs';
import { progressOf } from './progress';
import { manifestOf } from '@jss/testing';
import { VmLayout } from '@jss/tasks';

const MiB = 1 << 20;

/** Range jobs of a point of `n` VMs of one 1 MiB disk each (small disks share jobs). */
function jobsOfVms(n: number) {
  const point = manifestOf('fleet', Object.fromEntries(Array.from({ length: n }, (_, i) => [`vm-${String(i).padStart(5, '0')}`, MiB])));
  const layout: VmLayout[] = point.vms.map((v) => ({
    name: v.name,
    temp: `jss-rvm-${v.name}`,
    tempIp: null,
    disks: [{ index: 0, sizeBytes: MiB, path: `[recovery-ds] jss-rvm-${v.name}/disk-0.img` }],
  }));
  return rangeJobsOf(point, layout);
}

describe('progressOf', () => {
  const since = new Date(Date.now() - 1000).toISOString();

  it('lists every VM of a task within the limit', () => {
    const jobs = jobsOfVms(3);
    const p = progressOf(jobs, {}, since);
    expect(Object.keys(p.vms)).toHaveLength(3);
    expect(p).toMatchObject({ vmsDone: 0, vmsTotal: 3, bytesTotal: 3 * MiB, bytesDone: 0 });
  });

  it('past LIMITS.vmsPerEvent: at most that many VMs, those not yet done, and the counts of all', () => {
    const n = 3 * LIMITS.vmsPerEvent;
    const jobs = jobsOfVms(n);
    const doneJobs = jobs.slice(0, Math.ceil(jobs.length / 2));
    const bytes = Object.fromEntries(doneJobs.map((j) => [j.jobId, j.bytes]));
    const done = new Set(doneJobs.flatMap((j) => (j.parts ?? [j]).map((p) => p.vm)));
    const p = progressOf(jobs, bytes, since);
    expect(p.vmsTotal).toBe(n);
    expect(p.vmsDone).toBe(done.size);
    expect(p.bytesTotal).toBe(n * MiB);
    expect(p.bytesDone).toBe(done.size * MiB);
    const listed = Object.keys(p.vms);
    expect(listed.length).toBe(Math.min(LIMITS.vmsPerEvent, n - done.size));
    expect(listed.filter((vm) => done.has(vm))).toEqual([]);
  });
});
