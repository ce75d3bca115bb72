// A task is one accepted command being carried out. The planner owns its state machine; the
// record lives in Redis so that any planner replica can take the next step.

export const TASK_STATES = [
  'accepted', // validated, VMs reserved; provisioning requested
  'provisioning', // RocVA and RVMs being created
  'rehydrating', // range jobs out to the rehydrators
  'finalizing', // recovered VMs being created and powered on
  'cleaning', // temporaries being removed after success
  'failing', // temporaries (and partial results) being removed after a failure
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const ENDED_STATES: readonly TaskState[] = ['completed', 'failed', 'cancelled'];
export const isEnded = (s: TaskState): boolean => ENDED_STATES.includes(s);

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

export interface PlannedVm {
  name: string;
  rvm: string;
  rvmIp: string | null;
  disks: PlannedDisk[];
}

export interface RangeJobPlan {
  jobId: string;
  vm: string;
  disk: number;
  firstBlock: number;
  blockCount: number;
  bytes: number;
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
  point: { id: string; time: string };
  target: TaskTarget;
  /** logical bytes of all disks to rehydrate */
  bytesTotal: number;
  traceparent?: string;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
  /** when the range jobs went out (progress rate) */
  rehydratingAt?: string;
  /** when the recovered VMs were powered on (RTO) */
  poweredOnAt?: string;
  rocva?: string;
  plan?: PlannedVm[];
  jobs?: RangeJobPlan[];
  /** jobs.length, readable without the plan */
  jobCount?: number;
  recovered?: Array<{ name: string; site: string; ip: string | null }>;
  error?: TaskError;
}
