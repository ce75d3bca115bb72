import type { Prepared, RecoveryOperation } from '@jss/contract';
import { randomUUID } from 'node:crypto';
import { Decision, FlowContext, rangeJobsOf } from '@jss/recovery';
import { RecoveryPlan, planStepsOf } from '@jss/recovery-plans';
import { DEFAULT_BLOCK_SIZE, Manifest, blockCountOf, newPointId } from '@jss/replica';
import type { JobStats, PlanStepProgress, Task, TaskReader, VmLayout } from '@jss/tasks';

// What the deciders' unit specs run on: task records and their bookkeeping in memory, recovery
// points as manifests. TaskStore (Redis) is what TaskFlow's specs and the e2e suites run, so the
// reads faked here are covered end to end.

/** A task record and the bookkeeping a decider may read of it. */
export interface TaskBook {
  task: Task;
  done?: string[];
  bytes?: Record<string, number>;
  stats?: Record<string, JobStats>;
  stalled?: boolean;
  /** the throttles closed now (e.g. 'progress': a progress event went out within its interval) */
  throttled?: string[];
  steps?: Record<string, PlanStepProgress>;
  /** the chunks of its temporaries that came (reply.prepared each) */
  prepared?: Prepared[];
}

class MemoryTasks implements TaskReader {
  constructor(private readonly books: Map<string, TaskBook>) {}

  async get(id: string): Promise<Task | null> {
    return structuredClone(this.books.get(id)?.task ?? null);
  }

  async fields<K extends keyof Task>(id: string, ...keys: K[]): Promise<Pick<Task, K> | null> {
    const task = await this.get(id);
    return task && (Object.fromEntries(keys.map((k) => [k, task[k]])) as Pick<Task, K>);
  }

  async doneCount(id: string): Promise<number> {
    return this.books.get(id)?.done?.length ?? 0;
  }

  async jobBytes(id: string): Promise<Record<string, number>> {
    return { ...this.books.get(id)?.bytes };
  }

  async jobStats(id: string): Promise<Record<string, JobStats>> {
    return { ...this.books.get(id)?.stats };
  }

  async preparedChunks(id: string): Promise<Prepared[]> {
    return structuredClone(this.books.get(id)?.prepared ?? []);
  }

  async isStalled(id: string): Promise<boolean> {
    return !!this.books.get(id)?.stalled;
  }

  async throttleOpen(id: string, what: string): Promise<boolean> {
    return !this.books.get(id)?.throttled?.includes(what);
  }

  async planProgress(id: string): Promise<Record<string, PlanStepProgress>> {
    return structuredClone(this.books.get(id)?.steps ?? {});
  }
}

/** A decider's context over tasks and points in memory. */
export function deciderContext(books: TaskBook[], points: Manifest[] = []): FlowContext {
  const newest = (domain: string) =>
    points
      .filter((p) => p.domain === domain)
      .sort((a, b) => a.time.localeCompare(b.time))
      .at(-1) ?? null;
  return {
    tasks: new MemoryTasks(new Map(books.map((b) => [b.task.id, b]))),
    replica: { resolvePoint: async (domain: string) => newest(domain) },
    point: async (task, id) => points.find((p) => p.domain === task.domain && p.id === id) ?? null,
  };
}

/** A recovery point of a domain as its manifest: one disk per VM of the given size, all blocks zero (nothing stored). */
export function manifestOf(domain: string, vms: Record<string, number>, time = new Date().toISOString()): Manifest {
  return {
    version: 1,
    id: newPointId(new Date(time)),
    domain,
    time,
    blockSize: DEFAULT_BLOCK_SIZE,
    parent: null,
    site: 'primary',
    vms: Object.entries(vms).map(([name, sizeBytes]) => ({
      name,
      disks: [{ index: 0, sizeBytes, blocks: new Array(blockCountOf(sizeBytes, DEFAULT_BLOCK_SIZE)).fill(null) }],
    })),
  };
}

/** An accepted task of an operation over every VM of a point, recovering to the recovery site. */
export function taskOf(operation: RecoveryOperation, point: Manifest, extra: Partial<Task> = {}): Task {
  const now = new Date().toISOString();
  const vms = point.vms.map((v) => v.name);
  return {
    id: `task-${randomUUID()}`,
    commandId: randomUUID(),
    operation,
    domain: point.domain,
    state: 'accepted',
    vms,
    point: { id: point.id, time: point.time },
    target: { site: 'recovery', cluster: 'recovery-cluster', datastore: 'recovery-ds', network: 'recovery-net' },
    spec: {
      temporaryNetwork: 'recovery-net',
      finals: vms.map((vm) => ({ vm, name: vm, network: 'recovery-net', ip: 'dhcp', replace: false })),
      bootOrder: [],
    },
    bytesTotal: point.vms.reduce((n, v) => n + v.disks[0].sizeBytes, 0),
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}

/** A rehydrator's report on a range job of a task: its bytes so far (reply.range-progress, and the start of reply.range-done). */
export function rangeReport(task: Pick<Task, 'id' | 'commandId'>, jobId: string, bytesDone: number) {
  return { taskId: task.id, commandId: task.commandId, jobId, bytesDone };
}

/** A task of an operation rehydrating a point: its layout and range jobs as decidePrepared makes them. */
export function rehydrating(op: RecoveryOperation, point: Manifest, extra: Partial<Task> = {}): Task {
  const layout: VmLayout[] = point.vms.map((v) => ({
    name: v.name,
    temp: `jss-rvm-${v.name}`,
    tempIp: null,
    disks: [{ index: 0, sizeBytes: v.disks[0].sizeBytes, path: `[recovery-ds] jss-rvm-${v.name}/disk-0.img` }],
  }));
  const jobs = rangeJobsOf(point, layout);
  const rehydratingAt = new Date(Date.now() - 10_000).toISOString();
  return taskOf(op, point, { state: 'rehydrating', layout, jobs, jobCount: jobs.length, rehydratingAt, ...extra });
}

/** A task of an operation over a point, in a state, running a recovery plan of the point's VMs. */
export function plannedTaskOf(point: Manifest, plan: RecoveryPlan, state: Task['state'], operation: RecoveryOperation = 'failover'): Task {
  const task = rehydrating(operation, point, { state });
  const steps = planStepsOf(
    plan,
    point.vms.map((v) => v.name),
  );
  return { ...task, spec: { ...task.spec, recoveryPlan: { version: 1, steps } } };
}

/** The routing keys a decision sends, in order (work or event). */
export const sentKeys = (d: Decision | null): string[] => (d?.send ?? []).map((m) => ('work' in m ? m.work : m.event));

/** The data of the message a decision sends under a key. */
export const sentData = <T = Record<string, unknown>>(d: Decision | null, key: string): T =>
  d?.send.find((m) => ('work' in m ? m.work : m.event) === key)?.data as T;
