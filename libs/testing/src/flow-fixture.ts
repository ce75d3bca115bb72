import type { PrepareWork, RecoveryOperation } from '@jss/contract';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Cause } from '@jss/bus';
import { loadEnv } from '@jss/config';
import { createLogger } from '@jss/observability';
import { Publisher, TaskFlow } from '@jss/recovery';
import { Redis, createRedis } from '@jss/redis';
import type { Platform, VmInfo } from '@jss/platform';
import { Manifest, ReplicaRepository, ReplicaWriter } from '@jss/replica';
import { FsObjectStore } from '@jss/store';
import { Task, TaskStore } from '@jss/tasks';
import { taskOf } from './decider-context';
import { SimFixture, simFixture } from './sim-fixture';

export interface Published {
  key: string;
  kind: 'work' | 'event';
  data: Record<string, unknown>;
  cause?: Cause | null;
  /** an event's fixed id, when it has one */
  id?: string;
}

/** The test runner's hooks (jest's globals, given by the spec: this library is built without them). */
export interface SpecHooks {
  beforeAll(fn: () => unknown): void;
  afterAll(fn: () => unknown): void;
  beforeEach(fn: () => unknown): void;
}

/** Records what the flow publishes, in order (the e2e suites cover the real Messenger). */
export class RecordingPublisher implements Publisher {
  readonly sent: Published[] = [];

  async event(name: string, cause: Cause | null, data: unknown, id?: string): Promise<void> {
    this.sent.push({ key: name, kind: 'event', data: data as Record<string, unknown>, cause, ...(id !== undefined && { id }) });
  }

  async send(kind: { key: string }, data: { taskId: string }): Promise<void> {
    this.sent.push({ key: kind.key, kind: 'work', data: data as unknown as Record<string, unknown> });
  }

  keys(): string[] {
    return this.sent.map((m) => m.key);
  }

  /** What was published since the last take. */
  take(): Published[] {
    return this.sent.splice(0);
  }
}

/**
 * The planner's task flow against a real Redis (own key prefix) and a real replica in a temp
 * folder, publishing into a recorder: for the deciders' unit tests.
 */
export class FlowFixture {
  readonly published = new RecordingPublisher();
  readonly tasks: TaskStore;
  readonly replica: ReplicaRepository;
  readonly writer: ReplicaWriter;
  readonly flow: TaskFlow;
  /** the object store the replica is in */
  readonly store: FsObjectStore;

  private constructor(
    readonly redis: Redis,
    private readonly dir: string,
    private readonly prefix: string,
  ) {
    const store = (this.store = new FsObjectStore(path.join(dir, 'objects')));
    this.tasks = new TaskStore(redis);
    this.replica = new ReplicaRepository(store);
    this.writer = new ReplicaWriter(store);
    this.flow = new TaskFlow(this.tasks, this.published, this.replica, createLogger('flow-test', 'silent'));
  }

  /**
   * One for a spec file, with a recovery point of `domain` (its VMs and disk sizes): created before
   * the file's tests (the holder's fields set then), each test starting with nothing published, closed after.
   */
  static forSpec(hooks: SpecHooks, domain: string, vms: Record<string, number>): { fx: FlowFixture; point: Manifest } {
    const holder = {} as { fx: FlowFixture; point: Manifest };
    hooks.beforeAll(async () => {
      holder.fx = FlowFixture.create();
      holder.point = await holder.fx.point(domain, vms);
    });
    hooks.afterAll(() => holder.fx?.close());
    hooks.beforeEach(() => holder.fx?.published.take());
    return holder;
  }

  /** As forSpec, with a seeded simulated platform of its own (a worker's unit spec acts on it). */
  static withSim(hooks: SpecHooks, domain: string, vms: Record<string, number>): { fx: FlowFixture; point: Manifest; sim: SimFixture } {
    const holder = FlowFixture.forSpec(hooks, domain, vms) as { fx: FlowFixture; point: Manifest; sim: SimFixture };
    hooks.beforeAll(async () => {
      holder.sim = await simFixture();
      await holder.sim.platform.seed();
    });
    hooks.afterAll(() => holder.sim?.close());
    return holder;
  }

  static create(): FlowFixture {
    const prefix = `unit:${randomUUID().slice(0, 8)}:`;
    return new FlowFixture(createRedis(loadEnv(), prefix), mkdtempSync(path.join(os.tmpdir(), 'jss-flow-')), prefix);
  }

  /** A recovery point of a domain: one disk per VM of the given size (generated data). */
  point(domain: string, vms: Record<string, number>): Promise<Manifest> {
    return this.writer.writePoint(
      domain,
      Object.entries(vms).map(([name, sizeBytes], i) => ({ name, source: { sizeBytes, seed: i + 1 } })),
    );
  }

  /** An accepted task of an operation over every VM of a point, stored. */
  async task(operation: RecoveryOperation, point: Manifest, extra: Partial<Task> = {}): Promise<Task> {
    const task = taskOf(operation, point, extra);
    await this.tasks.create(task);
    return task;
  }

  /** reply.prepared for every VM of a task at a point (one chunk): an RVM each, one disk of the point's size. */
  prepared(task: Task, point: Manifest) {
    return {
      taskId: task.id,
      commandId: task.commandId,
      rocva: `jss-rocva-${task.domain}`,
      chunk: { index: 0, count: 1 },
      temporaries: task.vms.map((vm) => ({
        vm,
        name: `jss-rvm-${vm}`,
        ip: '10.0.0.9',
        disks: [{ path: `[recovery-ds] jss-rvm-${vm}/disk-0.img`, sizeBytes: point.vms.find((v) => v.name === vm)!.disks[0].sizeBytes }],
      })),
    };
  }

  rangeDone(task: Task, jobId: string, bytesDone: number) {
    return {
      taskId: task.id,
      commandId: task.commandId,
      jobId,
      bytesDone,
      bytesRead: bytesDone,
      blocksRead: 1,
      blocksZero: 0,
      blocksUnchanged: 0,
      startedAt: new Date().toISOString(),
    };
  }

  /** reply.finalized: every VM of the task up. */
  finalized(task: Task) {
    return {
      taskId: task.id,
      commandId: task.commandId,
      vms: task.vms.map((vm) => ({ vm, name: vm, site: 'recovery', ip: '10.0.0.7', poweredOnAt: new Date().toISOString() })),
    };
  }

  /** Every range job of the task's current round, done. */
  async finishJobs(task: Task) {
    const { jobs } = (await this.tasks.fields(task.id, 'jobs'))!;
    for (const j of jobs!) await this.flow.onRangeDone(this.rangeDone(task, j.jobId, j.bytes));
    return jobs!;
  }

  /** A task of an operation taken to rehydrating. */
  async rehydrating(operation: RecoveryOperation, point: Manifest, extra: Partial<Task> = {}) {
    const task = await this.task(operation, point, extra);
    await this.flow.start(task.id);
    await this.flow.onPrepared(this.prepared(task, point));
    this.published.take();
    return task;
  }

  /**
   * A failover taken to rehydrating with its RVMs made on a platform, as the provisioner's prepare
   * makes them (a provisioner's or rehydrator's unit spec takes the work the flow sends next).
   */
  async rehydratingOn(platform: Platform, point: Manifest): Promise<{ task: Task; rvms: VmInfo[] }> {
    const task = await this.task('failover', point);
    await this.flow.start(task.id);
    const prepare = this.published.take().find((p) => p.key === 'provision.prepare')!.data as unknown as PrepareWork;
    const owner = { taskId: task.id, kind: 'rvm' as const, domain: task.domain };
    const nics = [{ network: prepare.network, ip: 'dhcp' }];
    const rvms = await Promise.all(
      prepare.vms.map((vm) =>
        platform.createVm({ ...prepare, name: vm.temp, nics, disks: vm.disks.map((sizeBytes) => ({ sizeBytes })), owner, powerOn: true }),
      ),
    );
    const temporaries = rvms.map((t, i) => ({ vm: prepare.vms[i].name, name: t.name, ip: t.nics[0].ip, disks: t.disks }));
    await this.flow.onPrepared({ taskId: task.id, commandId: task.commandId, rocva: null, chunk: prepare.chunk, temporaries });
    return { task, rvms };
  }

  /** The data of the work the flow sent under a key, since the last take. */
  sentWork<T>(key: string): T[] {
    return this.published
      .take()
      .filter((p) => p.key === key)
      .map((p) => p.data as unknown as T);
  }

  async state(taskId: string) {
    return (await this.tasks.fields(taskId, 'state'))?.state;
  }

  async close(): Promise<void> {
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length) await this.redis.unlink(...keys.map((k) => k.slice(this.prefix.length)));
    this.redis.disconnect();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
