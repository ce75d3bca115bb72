import type { RecoveryOperation, TaskPoint, TaskReportData } from '@jss/contract';
import type { RecoveryPlanRun } from '@jss/recovery-plans';
import type { TaskState } from './transitions';

// A task is one accepted command being carried out. The planner owns its state machine; the
// record lives in Redis so that any planner replica can take the next step.

/** The VM a task leaves behind for one protected VM (none for a test failover). */
export interface FinalVm {
  vm: string;
  name: string;
  network: string;
  /** 'dhcp' or a static address */
  ip: string;
  /** delete an existing VM of that name first */
  replace: boolean;
}

export interface BootGroup {
  vms: string[];
  /** wait this long once the group before is up (or before the first group) */
  delaySeconds: number;
}

/** What kind of work a task is, decided when it is accepted. */
export interface TaskSpec {
  /** the network of the RVMs or Test VMs */
  temporaryNetwork: string;
  finals: FinalVm[];
  /** groups of VM names powered on in order, each after a delay once the one before is up; VMs in no group come last */
  bootOrder: BootGroup[];
  ttlSeconds?: number;
  /** failover, planned failover: wait for commit or rollback once the VMs are up */
  commit?: { policy: 'manual' | 'commit' | 'rollback'; afterSeconds?: number };
  /** planned failover: power these source VMs off and wait (up to the timeout) for a newer point */
  planned?: { site: string; vms: string[]; timeoutSeconds: number };
  /** failback: power these copies off once the VMs run at the target again */
  powerOffAfter?: { site: string; vms: string[] };
  /** the domain's recovery plan as this task runs it (then bootOrder is empty: the plan's groups are the order) */
  recoveryPlan?: RecoveryPlanRun;
  /** failover, planned failover: once completed, protect the recovered VMs back into the object store (recovery.reprotect) */
  reprotect?: boolean;
  /** failback: the point the original site's disks may still hold, and which VMs may start from a copy of them */
  failbackBase?: FailbackBase;
}

/** An original disk, as it was when a point was read from it. */
export interface SeedDisk {
  path: string;
  identity: string;
}

/**
 * Failback: the newest point taken at the original site. A VM in `seeds` may start from a copy of
 * its original disks (the provisioner checks their identity again when it copies them); the VMs in
 * `full` start empty, and why.
 */
export interface FailbackBase {
  /** null: no point read at the original site to start from (every VM in `full`) */
  point: { id: string; time: string } | null;
  seeds: Array<{ vm: string; disks: SeedDisk[] }>;
  full: Array<{ vm: string; reason: string }>;
}

/** Whether a failback's temporary got copies of its original disks, else why not (its disks are empty). */
export interface SeedOutcome {
  copied: boolean;
  reason: string | null;
}

/** What a VM's disks started from (failback): a copy of its original disks holding `pointId`, or empty disks and why. */
export interface StartedFrom {
  vm: string;
  kind: 'original-copy' | 'empty';
  pointId: string | null;
  reason: string | null;
}

export interface TaskTarget {
  site: string;
  cluster: string;
  datastore: string;
  network: string;
}

export interface DiskLayout {
  index: number;
  sizeBytes: number;
  path: string;
}

/** A VM being rehydrated: its RVM or Test VM and that VM's disks. */
export interface VmLayout {
  name: string;
  temp: string;
  tempIp: string | null;
  disks: DiskLayout[];
}

export interface RangePartSpec {
  vm: string;
  disk: number;
  firstBlock: number;
  blockCount: number;
  bytes: number;
}

/** One range job: one range of a disk, or with `parts` several small disks (the fields above are the first part's, `bytes` their sum). */
export interface RangeJobSpec extends RangePartSpec {
  jobId: string;
  parts?: RangePartSpec[];
}

export interface PartStats {
  bytesRead: number;
  blocksRead: number;
  blocksZero: number;
  blocksUnchanged: number;
  bytesWritten?: number;
}

export interface JobStats {
  /** a job of several parts: each part's, in order */
  parts?: PartStats[];
  bytesRead: number;
  blocksRead: number;
  blocksZero: number;
  blocksUnchanged: number;
  bytesWritten?: number;
  startedAt: string;
  doneAt: string;
}

export interface TaskError {
  reason: string;
  message: string;
}

export interface Task {
  id: string;
  commandId: string;
  /** the broker user who sent the command (its AMQP user_id): the audit trail */
  requestedBy?: string;
  operation: RecoveryOperation;
  domain: string;
  state: TaskState;
  vms: string[];
  /** the point being rehydrated (continuous: the newest applied or being applied); its scan verdict when looked up at acceptance */
  point: TaskPoint;
  /** continuous: the point the RVMs held before the current round (delta base) */
  basePoint?: { id: string; time: string };
  /** continuous: a failover named this task; finalize once the RVMs hold the newest point */
  cutover?: boolean;
  target: TaskTarget;
  spec: TaskSpec;
  /** logical bytes of all disks to rehydrate */
  bytesTotal: number;
  traceparent?: string;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
  /** planned failover: when the source VMs were powered off */
  poweredOffAt?: string;
  /** when the range jobs went out (progress rate) */
  rehydratingAt?: string;
  rocva?: string | null;
  layout?: VmLayout[];
  jobs?: RangeJobSpec[];
  /** failback: what each VM's disks started from (decided when its temporaries were made) */
  startedFrom?: StartedFrom[];
  /** jobs.length, readable without the plan */
  jobCount?: number;
  recovered?: Array<{ vm: string; name: string; site: string; ip: string | null; poweredOnAt: string }>;
  /** test failover: when the Test VMs are removed without a command; awaiting commit: when the policy acts */
  expiresAt?: string;
  error?: TaskError;
  report?: TaskReportData;
}
