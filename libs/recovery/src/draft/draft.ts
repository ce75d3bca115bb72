import type { RecoveryOperation } from '@jss/contract';
import { Platform } from '@jss/platform';
import { Manifest, ReplicaRepository } from '@jss/replica';
import { PointVerdicts } from '@jss/scan';
import { TaskSpec, TaskTarget } from '@jss/tasks';
import type { PointVerdict } from './resolve';

/** A validated recovery command, before any task exists: what would be created and rehydrated. */
export interface TaskDraft {
  operation: RecoveryOperation;
  domain: string;
  vms: string[];
  point: Manifest;
  target: TaskTarget;
  spec: TaskSpec;
  /** logical bytes of the selected VMs' disks */
  bytesTotal: number;
  /** bytes to read and write when not every non-zero block (a failback from the original disks: the changed ones) */
  bytesToRehydrate?: number;
  /** the point's scan verdict for the task's VMs, when looked up */
  verdict?: PointVerdict;
}

/** What planning a command reads: the replicas, the platform, and the settings that shape a task. */
export interface DraftContext {
  replica: ReplicaRepository;
  platform: Platform;
  plannedTimeoutSeconds: number;
  /** the points' scans: `last-clean`, and the verdict of the point a task recovers */
  verdicts?: PointVerdicts;
}

/** A draft of the given VMs of a point, bytes counted. */
export function draftOf(
  operation: RecoveryOperation,
  point: Manifest,
  vms: string[],
  target: TaskTarget,
  spec: TaskSpec,
  verdict?: PointVerdict,
): TaskDraft {
  return { operation, domain: point.domain, vms, point, target, bytesTotal: bytesOf(point, vms), spec, ...(verdict && { verdict }) };
}

/** The named VMs of a point (those a task recovers), in the point's order. */
export function pointVms(point: Manifest, names: string[]): Manifest['vms'] {
  const named = new Set(names);
  return point.vms.filter((v) => named.has(v.name));
}

/** Logical bytes of the given VMs' disks at a point. */
export function bytesOf(point: Manifest, vms: string[]): number {
  return pointVms(point, vms)
    .flatMap((v) => v.disks)
    .reduce((sum, d) => sum + d.sizeBytes, 0);
}
