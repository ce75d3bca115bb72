import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import pLimit from 'p-limit';
import { AmqpBus, Messenger } from '@jss/bus';
import { Env } from '@jss/config';
import { REPLIES, RangeJob } from '@jss/contract';
import { ENV, LOGGER, OBJECT_STORE, PLATFORM } from '@jss/infra';
import { Logger, metrics } from '@jss/observability';
import { Platform } from '@jss/platform';
import {
  AbortError,
  BlockVerificationError,
  Manifest,
  RehydrateOptions,
  RehydrateResult,
  ReplicaRepository,
  rehydrateRange,
  warmUpRehydration,
} from '@jss/replica';
import { ObjectStore } from '@jss/store';
import { TaskLiveness, TaskRecords, checkRange } from '@jss/tasks';
import { Turns } from '@jss/workers';

/** How often a running job reports its bytes, and checks that its task is still wanted. */
const REPORT_INTERVAL_MS = 500;
/** Manifests kept in memory: the jobs of a task all read the same one. */
const MANIFEST_CACHE = 8;
/** Disks of a shared job written at once. */
const PARTS_AT_ONCE = 8;

type RangePart = Pick<RangeJob, 'vm' | 'disk' | 'firstBlock' | 'blockCount' | 'diskPath'>;

/** The process is stopping: the range goes back to the queue (nack, requeue) for another worker. */
const handedBack = (job: RangeJob) => new Error(`shutting down; range ${job.jobId} handed back`);

/**
 * rehydrate.range: writes one range of a disk of a recovery point into the RVM's disk, verified
 * and fsynced before the reply. Stops early (no reply) when its task stops being active.
 * REHYDRATOR_JOBS ranges read and write at once; a range gives its turn to the next delivered one
 * (the queue's prefetch is one more) as soon as its writes are done, so that one reads while this
 * one's fsync waits for the disk and its reply goes out (bench/README.md, "What bounds it now").
 */
@Injectable()
export class RangeUseCase implements OnApplicationBootstrap {
  private readonly manifests = new Map<string, Promise<Manifest | null>>();
  private readonly turns: Turns;
  private toldPageCache = false;

  constructor(
    private readonly messenger: Messenger,
    private readonly bus: AmqpBus,
    private readonly replica: ReplicaRepository,
    private readonly tasks: TaskLiveness,
    private readonly records: TaskRecords,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.turns = new Turns(env.REHYDRATOR_JOBS);
  }

  /** Before the first job: the hash threads started, the buffers of the blocks in flight resident. */
  async onApplicationBootstrap(): Promise<void> {
    // the buffers of the reads only: those of runs waiting to be written are touched when runs pile up
    const blocks = this.env.REHYDRATOR_CONCURRENCY * this.env.REHYDRATOR_JOBS;
    const started = performance.now();
    await warmUpRehydration(blocks);
    this.log.info({ blocks, ms: Math.round(performance.now() - started) }, 'rehydration warmed up');
  }

  async execute(job: RangeJob, traceparent?: string): Promise<void> {
    const release = await this.turns.take();
    try {
      await this.rehydrate(job, traceparent, release);
    } finally {
      release();
    }
  }

  private async rehydrate(job: RangeJob, traceparent: string | undefined, release: () => void): Promise<void> {
    // waited for its turn while the process was stopping: back to the queue, untouched
    if (this.bus.stopping.aborted) throw handedBack(job);
    // WorkRunner saw the task live before the wait for a turn; cancelled since, its range reads nothing
    if (!(await this.tasks.isActive(job.taskId))) {
      this.log.info({ taskId: job.taskId, jobId: job.jobId }, 'task no longer active; range skipped');
      return;
    }
    await this.records.verify(job, checkRange);
    const manifest = await this.manifest(job.domain, job.pointId);
    const previous = job.previousPointId ? await this.manifest(job.domain, job.previousPointId) : undefined;
    if (!manifest || previous === null) throw new Error(`recovery point ${job.previousPointId ?? job.pointId} of ${job.domain} not found`);
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const abort = new AbortController();
    const watch = setInterval(() => {
      void this.tasks.isActive(job.taskId).then(
        (active) => active || abort.abort(),
        () => undefined,
      );
    }, REPORT_INTERVAL_MS);
    let lastReport = Date.now(); // a job shorter than the interval reports only its range-done
    const report = (bytesDone: number) => {
      if (Date.now() - lastReport < REPORT_INTERVAL_MS) return;
      lastReport = Date.now();
      this.messenger
        .send(REPLIES.rangeProgress, { taskId: job.taskId, commandId: job.commandId, jobId: job.jobId, bytesDone }, traceparent)
        .catch((err) => this.log.warn({ taskId: job.taskId, err: String(err) }, 'progress report lost'));
    };
    const parts = job.parts ?? [job];
    // a job of several small disks: a few at once (their fsyncs overlap), sharing the blocks in flight
    const partsAtOnce = Math.min(PARTS_AT_ONCE, parts.length);
    const concurrency = Math.max(1, Math.ceil(this.env.REHYDRATOR_CONCURRENCY / partsAtOnce));
    const limit = pLimit(partsAtOnce);
    let writing = parts.length; // the turn goes once every part's writes are done
    const onWritesDone = () => {
      if (--writing === 0) release();
    };
    try {
      const settled = await Promise.allSettled(
        parts.map((part) =>
          limit(() =>
            this.rehydratePart(job, part, manifest, previous, {
              concurrency,
              signal: AbortSignal.any([abort.signal, this.bus.stopping]),
              // one range reports its bytes as it goes; a job of several only at its end (each VM's progress stays exact)
              onProgress: job.parts ? undefined : report,
              onWritesDone,
            }).catch((err: unknown) => {
              abort.abort(); // one part failed: the others stop, and the job is redone as a whole
              throw err;
            }),
          ),
        ),
      );
      const failed =
        settled.find((r) => r.status === 'rejected' && !(r.reason instanceof AbortError)) ?? settled.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const results = settled.map((r) => (r as PromiseFulfilledResult<RehydrateResult>).value);
      const stats = results.map(({ bytesRead, blocksRead, blocksZero, blocksUnchanged, bytesWritten }) => ({
        bytesRead,
        blocksRead,
        blocksZero,
        blocksUnchanged,
        bytesWritten,
      }));
      const sum = (k: keyof (typeof stats)[number]) => stats.reduce((n, x) => n + x[k], 0);
      metrics.rehydratedBytes.inc(job.bytes);
      metrics.storeReadBytes.inc(sum('bytesRead'));
      metrics.rehydratedBlocks.inc({ result: 'read' }, sum('blocksRead'));
      metrics.rehydratedBlocks.inc({ result: 'zero' }, sum('blocksZero'));
      metrics.rehydratedBlocks.inc({ result: 'unchanged' }, sum('blocksUnchanged'));
      metrics.jobDuration.observe({ outcome: 'done' }, (performance.now() - started) / 1000);
      await this.messenger.send(
        REPLIES.rangeDone,
        {
          taskId: job.taskId,
          commandId: job.commandId,
          jobId: job.jobId,
          bytesDone: job.bytes,
          bytesRead: sum('bytesRead'),
          blocksRead: sum('blocksRead'),
          blocksZero: sum('blocksZero'),
          blocksUnchanged: sum('blocksUnchanged'),
          bytesWritten: sum('bytesWritten'),
          startedAt,
          ...(job.parts && { parts: stats }),
        },
        traceparent,
      );
    } catch (err) {
      metrics.jobDuration.observe({ outcome: err instanceof AbortError ? 'aborted' : 'failed' }, (performance.now() - started) / 1000);
      // shutting down: the range goes back to the queue now (nack, requeue), for another worker to redo
      if (err instanceof AbortError && this.bus.stopping.aborted) throw handedBack(job);
      if (err instanceof AbortError) return this.log.info({ taskId: job.taskId, jobId: job.jobId }, 'task no longer active; job stopped');
      if (err instanceof BlockVerificationError) metrics.verifyFailures.inc();
      throw err;
    } finally {
      clearInterval(watch);
    }
  }

  /** One range of one disk into the RVM's disk, fsynced. */
  private async rehydratePart(
    job: RangeJob,
    part: RangePart,
    manifest: Manifest,
    previous: Manifest | undefined,
    opts: Pick<RehydrateOptions, 'concurrency' | 'signal' | 'onProgress' | 'onWritesDone'>,
  ): Promise<RehydrateResult> {
    const disk = await this.platform.openDisk(part.diskPath);
    try {
      if (disk.ioMode !== 'direct' && !this.toldPageCache) {
        this.toldPageCache = true; // once per process: it is the file system's, not the job's
        this.log.warn(
          { taskId: job.taskId, diskPath: part.diskPath },
          'the disk refuses direct I/O (O_DIRECT): writing through the page cache',
        );
      }
      return await rehydrateRange({
        store: this.store,
        manifest,
        vm: part.vm,
        diskIndex: part.disk,
        firstBlock: part.firstBlock,
        blockCount: part.blockCount,
        target: disk,
        previous,
        ...opts,
      });
    } finally {
      await disk.close();
    }
  }

  private manifest(domain: string, pointId: string): Promise<Manifest | null> {
    const key = `${domain}/${pointId}`;
    let m = this.manifests.get(key);
    if (!m) {
      m = this.replica.getPoint(domain, pointId);
      m.catch(() => this.manifests.delete(key));
      this.manifests.set(key, m);
      if (this.manifests.size > MANIFEST_CACHE) this.manifests.delete(this.manifests.keys().next().value!);
    }
    return m;
  }
}
