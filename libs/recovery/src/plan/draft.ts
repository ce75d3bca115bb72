import { Manifest } from '@jss/replica';
import { TaskSpec, TaskTarget } from '@jss/tasks';

/** A validated recovery command, before any task exists: what would be created and rehydrated. */
export interface TaskDraft {
  operation: string;
  domain: string;
  vms: string[];
  point: Manifest;
  target: TaskTarget;
  spec: TaskSpec;
  /** logical bytes of the selected VMs' disks */
  bytesTotal: number;
}

/** Logical bytes of the given VMs' disks at a point. */
export function bytesOf(point: Manifest, vms: string[]): number {
  return point.vms
    .filter((v) => vms.includes(v.name))
    .flatMap((v) => v.disks)
    .reduce((sum, d) => sum + d.sizeBytes, 0);
}
