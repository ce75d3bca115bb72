import { RangeJob } from '@jss/contract';
import { Manifest, splitRanges } from '@jss/replica';
import { JobStats, PartStats, VmLayout, RangeJobSpec, RangePartSpec } from '@jss/tasks';

/**
 * A disk this small is not cut into ranges but shares a job with other small disks: a 1,000-VM
 * domain of 1 MiB disks is 16 jobs, not 1,000 (a message, a reply and the planner's bookkeeping
 * per job, not per disk), and the rehydrator overlaps the parts' fsyncs.
 */
export const SMALL_DISK_BYTES = 16 << 20;
/** A shared job holds at most this many disks and bytes (a second or so of work, like a range). */
export const BUNDLE_PARTS = 64;
export const BUNDLE_BYTES = 64 << 20;

/** Range jobs of every disk of the laid-out VMs at a point; the id names the point (rounds never collide). */
export function rangeJobsOf(point: Manifest, layout: VmLayout[]): RangeJobSpec[] {
  const jobs: RangeJobSpec[] = [];
  let bundle: RangePartSpec[] = [];
  const flush = () => {
    if (bundle.length === 0) return;
    const first = bundle[0];
    const bytes = bundle.reduce((n, p) => n + p.bytes, 0);
    jobs.push({ jobId: jobIdOf(point, first), ...first, bytes, ...(bundle.length > 1 && { parts: bundle }) });
    bundle = [];
  };
  for (const vm of layout) {
    for (const d of vm.disks) {
      const ranges = splitRanges(point, vm.name, d.index).map((r) => ({ vm: vm.name, disk: d.index, ...r }));
      const small = ranges.length === 1 && ranges[0].bytes <= SMALL_DISK_BYTES;
      if (!small) {
        jobs.push(...ranges.map((r) => ({ jobId: jobIdOf(point, r), ...r })));
        continue;
      }
      const bytes = bundle.reduce((n, p) => n + p.bytes, 0);
      if (bundle.length >= BUNDLE_PARTS || bytes + ranges[0].bytes > BUNDLE_BYTES) flush();
      bundle.push(ranges[0]);
    }
  }
  flush();
  return jobs;
}

const jobIdOf = (point: Manifest, r: RangePartSpec) => `${point.id}/${r.vm}/${r.disk}/${r.firstBlock}`;

/** The ranges a job writes: its parts, or itself. */
export const partsOf = (job: RangeJobSpec): RangePartSpec[] => job.parts ?? [job];

/** What each part of a finished job did (a one-range job's stats are its only part's). */
export const partStatsOf = (stats: JobStats): PartStats[] => stats.parts ?? [stats];

/** The fields of a range job's message that name the disks: each part's disk path. */
export function diskPathsOf(job: RangeJobSpec, vms: Map<string, VmLayout>): { diskPath: string; parts: RangeJob['parts'] } {
  const pathOf = (p: RangePartSpec) => vms.get(p.vm)!.disks[p.disk].path;
  return { diskPath: pathOf(job), parts: job.parts?.map((p) => ({ ...p, diskPath: pathOf(p) })) };
}
