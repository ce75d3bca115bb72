import type { TaskReportData } from '@jss/contract';

// A task is one accepted command being carried out. The planner owns its state machine; the
// record lives in Redis so that any planner replica can take the next step.

export const TASK_STATES = [
  'accepted', // validated, VMs reserved
  'quiescing', // planned failover: source VMs being powered off
  'awaiting-point', // planned failover: waiting for a recovery point newer than the power-off
  'provisioning', // RocVA and RVMs being created
  'rehydrating', // range jobs out to the rehydrators
  'finalizing', // recovered VMs being created and powered on (Test VMs powered on)
  'testing', // test failover: Test VMs up until test-cleanup, cancel or the time limit
  'standby', // continuous failover: RVMs hold the newest point; waiting for the next one or the cut-over
  'cleaning', // temporaries being removed after success
  'failing', // temporaries (and partial results) being removed after a failure
  'cancelling', // the same after a cancel
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const ENDED_STATES: readonly TaskState[] = ['completed', 'failed', 'cancelled'];
export const isEnded = (s: TaskState): boolean => ENDED_STATES.includes(s);
/** States in which a task is still doing its work (not ending, not ended): can fail or be cancelled. */
export const ACTIVE_STATES: TaskState[] = [
  'accepted',
  'quiescing',
  'awaiting-point',
  'provisioning',
  'rehydrating',
  'finalizing',
  'testing',
  'standby',
];
/** Ending: its temporaries are being removed; the outcome is decided. */
export const OUTCOME_OF: Partial<Record<TaskState, TaskState>> = { cleaning: 'completed', failing: 'failed', cancelling: 'cancelled' };

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

/** What kind of work a task is, decided when it is accepted. */
export interface TaskSpec {
  useRocva: boolean;
  temporaryKind: 'rvm' | 'tvm';
  /** the network of the RVMs or Test VMs */
  temporaryNetwork: string;
  finals: FinalVm[];
  /** groups of VM names powered on in order; VMs in no group come last */
  bootOrder: string[][];
  ttlSeconds?: number;
  /** continuous failover: keep the RVMs current with each new point until cut over */
  continuous?: boolean;
  /** planned failover: power these source VMs off and wait (up to the timeout) for a newer point */
  planned?: { site: string; vms: string[]; timeoutSeconds: number };
  /** failback: power these copies off once the VMs run at the target again */
  powerOffAfter?: { site: string; vms: string[] };
}

export interface TaskTarget {
  site: string;
  cluster: string;
  datastore: string;
  network: string;
}

export interface PlannedDisk {
  index: number;
  sizeBytes: number;
  path: string;
}

/** A VM being rehydrated: its RVM or Test VM and that VM's disks. */
export interface PlannedVm {
  name: string;
  temp: string;
  tempIp: string | null;
  disks: PlannedDisk[];
}

export interface RangePartPlan {
  vm: string;
  disk: number;
  firstBlock: number;
  blockCount: number;
  bytes: number;
}

/** One range job: one range of a disk, or with `parts` several small disks (the fields above are the first part's, `bytes` their sum). */
export interface RangeJobPlan extends RangePartPlan {
  jobId: string;
  parts?: RangePartPlan[];
}

export interface PartStats {
  bytesRead: number;
  blocksRead: number;
  blocksZero: number;
  blocksUnchanged: number;
}

export interface JobStats {
  /** a job of several parts: each part's, in order */
  parts?: PartStats[];
  bytesRead: number;
  blocksRead: number;
  blocksZero: number;
  blocksUnchanged: number;
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
  operation: string;
  domain: string;
  state: TaskState;
  vms: string[];
  /** the point being rehydrated (continuous: the newest applied or being applied) */
  point: { id: string; time: string };
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
  /** when the recovered VMs were powered on (RTO) */
  poweredOnAt?: string;
  rocva?: string | null;
  plan?: PlannedVm[];
  jobs?: RangeJobPlan[];
  /** jobs.length, readable without the plan */
  jobCount?: number;
  recovered?: Array<{ vm: string; name: string; site: string; ip: string | null; poweredOnAt: string }>;
  /** test failover: when the Test VMs are removed without a command */
  expiresAt?: string;
  error?: TaskError;
  report?: TaskReportData;
}
