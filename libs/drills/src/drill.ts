import type { CommandData, Target } from '@jss/contract';

/** A drill runs as a test failover whose time limit defaults to an hour. */
export const DEFAULT_DRILL_TTL_SECONDS = 3600;

/** A domain's drill schedule, as stored (one per domain; scheduling again replaces it). */
export interface DrillSchedule {
  domain: string;
  every: string;
  vms?: string[];
  target?: Target;
  ttl: number;
  rtoObjectiveSeconds: number | null;
  alertAfterSeconds: number;
  /** "last-clean": each drill tests the newest point whose VMs are all clean (absent: the newest point) */
  recoveryPoint?: CommandData<'drill-schedule'>['recoveryPoint'];
  /** the broker user who scheduled it: each drill runs, and is authorised, as this principal */
  scheduledBy: string;
  scheduledAt: string;
  /** the drill-schedule command that stored it (a later one replaces it) */
  commandId: string;
}

export type DrillState = 'due' | 'running' | 'cleaning' | 'reporting' | 'done';

/** What the drill saw of one Test VM. */
export interface VmCheck {
  createdAt: string | null;
  ip: string | null;
  passedAt: string | null;
  /** the last check, as a sentence */
  message: string;
}

/**
 * One drill, claimed for one due time of a schedule: moved on by whichever planner holds its lock,
 * each state's work safe to redo (a planner that dies mid-step leaves the state where it was).
 */
export interface Drill {
  id: string;
  domain: string;
  state: DrillState;
  dueAt: string;
  /** the schedule as it was when the drill was claimed */
  schedule: DrillSchedule;
  startedAt: string;
  taskId?: string;
  checks?: Record<string, VmCheck>;
  /** why it failed, when the drill itself decided (refused, checks not passed, time limit) */
  error?: { reason: string; message: string };
  /** fixed when reporting starts (with what was still on the platform), so that a report written again is the same report */
  endedAt?: string;
  removed?: RemovedVm[];
}

/** A temporary of the drill's task and whether it was still on the platform at the end. */
export interface RemovedVm {
  name: string;
  kind: string;
  site: string;
  gone: boolean;
  /** a RocVA still held by these other tasks of the domain: left to them */
  sharedWith?: string[];
}

/** The test failover a drill runs. */
export function testFailoverOf(s: DrillSchedule): CommandData<'test-failover'> {
  return {
    domain: s.domain,
    ...(s.vms && { vms: s.vms }),
    ...(s.target && { target: s.target }),
    ...(s.recoveryPoint && { recoveryPoint: s.recoveryPoint }),
    ttl: s.ttl,
  };
}
