import { Inject, Injectable } from '@nestjs/common';
import { AmqpBus, Messenger } from '@jss/bus';
import { Env } from '@jss/config';
import { REPLIES, RangeJob } from '@jss/contract';
import { ENV, LOGGER, OBJECT_STORE, PLATFORM } from '@jss/infra';
import { Logger, metrics } from '@jss/observability';
import { Platform } from '@jss/platform';
import { taskIsActive } from '@jss/recovery';
import { AbortError, BlockVerificationError, Manifest, ReplicaRepository, rehydrateRange } from '@jss/replica';
import { ObjectStore } from '@jss/store';
import { TaskStore } from '@jss/tasks';

/** How often a running job reports its bytes, and checks that its task is still wanted. */
const REPORT_INTERVAL_MS = 500;
/** Manifests kept in memory: the jobs of a task all read the same one. */
const MANIFEST_CACHE = 8;

/**
 * rehydrate.range: writes one range of a disk of a recovery point into the RVM's disk, verified
 * and fsynced before the reply. Stops early (no reply) when its task stops being active.
 */
@Injectable()
export class RangeHandler {
  private readonly manifests = new Map<string, Promise<Manifest | null>>();

  constructor(
    private readonly messenger: Messenger,
    private readonly bus: AmqpBus,
    private readonly replica: ReplicaRepository,
    private readonly tasks: TaskStore,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(ENV) private readonly env: Env,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async execute(job: RangeJob, traceparent?: string): Promise<void> {
    const manifest = await this.manifest(job.domain, job.pointId);
    const previous = job.previousPointId ? await this.manifest(job.domain, job.previousPointId) : undefined;
    if (!manifest || previous === null) throw new Error(`recovery point ${job.previousPointId ?? job.pointId} of ${job.domain} not found`);
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const abort = new AbortController();
    const watch = setInterval(() => {
      void taskIsActive(this.tasks, job.taskId).then(
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
    const disk = await this.platform.openDisk(job.diskPath);
    try {
      const r = await rehydrateRange({
        store: this.store,
        manifest,
        vm: job.vm,
        diskIndex: job.disk,
        firstBlock: job.firstBlock,
        blockCount: job.blockCount,
        target: disk,
        concurrency: this.env.REHYDRATOR_CONCURRENCY,
        previous,
        signal: AbortSignal.any([abort.signal, this.bus.stopping]),
        onProgress: report,
      });
      metrics.rehydratedBytes.inc(job.bytes);
      metrics.storeReadBytes.inc(r.bytesRead);
      metrics.rehydratedBlocks.inc({ result: 'read' }, r.blocksRead);
      metrics.rehydratedBlocks.inc({ result: 'zero' }, r.blocksZero);
      metrics.rehydratedBlocks.inc({ result: 'unchanged' }, r.blocksUnchanged);
      metrics.jobDuration.observe({ outcome: 'done' }, (performance.now() - started) / 1000);
      await this.messenger.send(
        REPLIES.rangeDone,
        {
          taskId: job.taskId,
          commandId: job.commandId,
          jobId: job.jobId,
          bytesDone: job.bytes,
          bytesRead: r.bytesRead,
          blocksRead: r.blocksRead,
          blocksZero: r.blocksZero,
          blocksUnchanged: r.blocksUnchanged,
          startedAt,
        },
        traceparent,
      );
    } catch (err) {
      metrics.jobDuration.observe({ outcome: err instanceof AbortError ? 'aborted' : 'failed' }, (performance.now() - started) / 1000);
      // shutting down: the range goes back to the queue now (nack, requeue), for another worker to redo
      if (err instanceof AbortError && this.bus.stopping.aborted) throw new Error(`shutting down; range ${job.jobId} handed back`);
      if (err instanceof AbortError) return this.log.info({ taskId: job.taskId, jobId: job.jobId }, 'task no longer active; job stopped');
      if (err instanceof BlockVerificationError) metrics.verifyFailures.inc();
      throw err;
    } finally {
      clearInterval(watch);
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
