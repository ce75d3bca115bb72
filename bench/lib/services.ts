import { CloudEvent, EXCHANGES } from '@jss/contract';
import { Installation, Recorded } from '@jss/testing';
import { peakRssMiB, processCpuSeconds } from './measure';

interface InternalMessage {
  key: string;
  taskId: string | undefined;
  /** sender's clock (the CloudEvent's time), ms since the epoch */
  time: number;
  /** a range-done reply's start of its job (the rehydrator's clock), ms since the epoch */
  startedAt?: number;
}

/**
 * Copies of the services' internal messages (work and replies on jss.internal), through a queue of
 * its own bound to every key: the services are not disturbed, and each message's CloudEvent time
 * (its sender's clock) says when each step of a task happened.
 */
export class InternalTrace {
  readonly messages: InternalMessage[] = [];

  static async attach(inst: Installation): Promise<InternalTrace> {
    const trace = new InternalTrace();
    await inst.bus.subscribe(EXCHANGES.internal, ['#'], (event, key) =>
      trace.messages.push({
        key,
        taskId: (event.data as { taskId?: string } | undefined)?.taskId,
        time: Date.parse(event.time ?? '') || Date.now(),
        startedAt: Date.parse((event.data as { startedAt?: string } | undefined)?.startedAt ?? '') || undefined,
      }),
    );
    return trace;
  }

  of(taskId: string, key: string): number[] {
    return this.messages.filter((m) => m.taskId === taskId && m.key === key).map((m) => m.time);
  }

  /** Each range job of a task, from its start in the rehydrator to its reply, in seconds since the epoch, by start. */
  ranges(taskId: string): Array<{ start: number; end: number }> {
    return this.messages
      .filter((m) => m.taskId === taskId && m.key === 'reply.range-done' && m.startedAt)
      .map((m) => ({ start: m.startedAt! / 1000, end: m.time / 1000 }))
      .sort((a, b) => a.start - b.start);
  }
}

export interface FailoverRun {
  taskId: string;
  /** publish of the command to the arrival of task.completed */
  e2eSeconds: number;
  /** the planner sending the first range job to the last range's reply (each sent after its fsync) */
  rehydrationSeconds: number;
  /** seconds after the publish at which each step happened (senders' clocks, same machine) */
  timeline: Record<string, number>;
  rehydrators: Array<{ name: string; peakRssMiB: number; cpuSeconds: number }>;
  ranges: number;
}

const eventTime = (r: Recorded | undefined) => (r ? Date.parse((r.event as CloudEvent).time ?? '') || r.at : NaN);

/** Fresh planner, provisioner and janitor: each peak RSS afterwards is of what runs from now on. */
export async function restartServices(inst: Installation): Promise<void> {
  for (const name of ['planner', 'provisioner', 'janitor']) await inst.stopServices(name);
  await inst.add({ planner: 1, provisioner: 1, janitor: 1 });
}

/** Peak RSS (VmHWM, MiB) of each running service by its label (planner-3, rehydrator-5, ...). */
export function servicesPeakRss(inst: Installation): Record<string, number> {
  return Object.fromEntries(inst.services.map((s) => [s.name, Math.round(peakRssMiB(s.child.pid!) * 10) / 10]));
}

/** (Re)starts the rehydrators: `count` processes with `env` on top of the installation's. */
export async function useRehydrators(inst: Installation, count: number, env: NodeJS.ProcessEnv = {}): Promise<void> {
  await inst.stopServices('rehydrator');
  if (count > 0) await inst.add({ rehydrator: count }, env);
}

/**
 * Publishes a failover and waits for its end; the timeline of its steps, and what the rehydrator
 * processes used (peak RSS since they started, CPU seconds during the failover).
 */
export async function timedFailover(
  inst: Installation,
  trace: InternalTrace,
  data: Record<string, unknown>,
  timeoutMs: number,
): Promise<FailoverRun> {
  const rehydrators = inst.services.filter((s) => s.name.startsWith('rehydrator'));
  const cpu0 = rehydrators.map((s) => processCpuSeconds(s.child.pid!));
  const publishedAt = Date.now();
  const id = await inst.publish('failover', data);
  const end = await inst.events.waitFor(id, ['task.completed', 'task.failed', 'command.rejected'], timeoutMs);
  if (end.key !== 'task.completed')
    throw new Error(`failover of ${String(data.domain)} ended with ${end.key}: ${JSON.stringify(end.event.data)}`);
  const e2eSeconds = (end.at - publishedAt) / 1000;
  const taskId = end.event.subject!;
  const at = (t: number) => Math.round(t - publishedAt) / 1000;
  const first = (xs: number[]) => (xs.length ? at(Math.min(...xs)) : NaN);
  const last = (xs: number[]) => (xs.length ? at(Math.max(...xs)) : NaN);
  const rvms = inst.events
    .of(id, 'vm.created')
    .filter((r) => r.event.data.kind === 'rvm')
    .map(eventTime);
  const sent = trace.of(taskId, 'rehydrate.range');
  const done = trace.of(taskId, 'reply.range-done');
  const timeline: Record<string, number> = {
    'task.accepted': at(eventTime(inst.events.of(id, 'task.accepted')[0])),
    'first RVM created': first(rvms),
    'last RVM created': last(rvms),
    'reply.prepared': first(trace.of(taskId, 'reply.prepared')),
    'first range sent': first(sent),
    'last range sent': last(sent),
    'first range done': first(done),
    'last range done': last(done),
    'provision.finalize sent': first(trace.of(taskId, 'provision.finalize')),
    'reply.finalized': first(trace.of(taskId, 'reply.finalized')),
    'reply.released': first(trace.of(taskId, 'reply.released')),
    'task.completed': at(eventTime(end)),
  };
  return {
    taskId,
    e2eSeconds,
    rehydrationSeconds: timeline['last range done'] - timeline['first range sent'],
    timeline,
    rehydrators: rehydrators.map((s, i) => ({
      name: s.name,
      peakRssMiB: Math.round(peakRssMiB(s.child.pid!) * 10) / 10,
      cpuSeconds: Math.round((processCpuSeconds(s.child.pid!) - cpu0[i]) * 100) / 100,
    })),
    ranges: sent.length,
  };
}

/** Deletes what a failover recovered, so that the next one can recover the same VMs. */
export async function deleteRecovered(inst: Installation, names: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < names.length) await inst.platform.deleteVm('recovery', names[next++]);
    }),
  );
}
