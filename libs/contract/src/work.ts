import { z } from 'zod';

// Internal work and replies between the services, on jss.internal. Validated on arrival like
// anything else that comes over the wire (another version of a service may have sent it).

const base = { taskId: z.string(), commandId: z.string() };
/** VMs of a site (the source VMs of a planned failover, the recovered copies after a failback) */
const siteVms = z.object({ site: z.string(), vms: z.array(z.string()) });
const disk = z.object({ path: z.string(), sizeBytes: z.number().int().min(0) });
/** rvm: a representation VM whose disks become the recovered VM's; tvm: a Test VM, itself the result */
export const temporaryKind = z.enum(['rvm', 'tvm']);
export type TemporaryVmKind = z.infer<typeof temporaryKind>;

/** One range of one disk (a part of a range job that bundles small disks). */
const rangePart = z.object({
  vm: z.string(),
  disk: z.number().int().min(0),
  firstBlock: z.number().int().min(0),
  blockCount: z.number().int().min(1),
  bytes: z.number().int().min(0),
  diskPath: z.string(),
});

/** What rehydrating a range did. */
const partStats = z.object({
  bytesRead: z.number().min(0),
  blocksRead: z.number().int().min(0),
  blocksZero: z.number().int().min(0),
  blocksUnchanged: z.number().int().min(0),
});

export const WORK = {
  /** provisioner: ensure the domain's RocVA (if used) and create one RVM or Test VM per VM */
  prepare: {
    key: 'provision.prepare',
    schema: z.object({
      ...base,
      useRocva: z.boolean(),
      kind: temporaryKind,
      domain: z.string(),
      site: z.string(),
      cluster: z.string(),
      datastore: z.string(),
      network: z.string(),
      vms: z.array(z.object({ name: z.string(), disks: z.array(z.number().int().min(0)) })),
    }),
  },
  /**
   * provisioner: rvm → create each final VM from its RVM's disks; tvm → the Test VMs are the result.
   * Then power them on group by group (boot order), each group up before the next.
   */
  finalize: {
    key: 'provision.finalize',
    schema: z.object({
      ...base,
      kind: temporaryKind,
      domain: z.string(),
      site: z.string(),
      cluster: z.string(),
      datastore: z.string(),
      vms: z.array(
        z.object({
          vm: z.string(),
          temp: z.string(),
          name: z.string(),
          network: z.string(),
          ip: z.string(),
          replace: z.boolean(),
          disks: z.array(z.string()),
        }),
      ),
      bootOrder: z.array(z.array(z.string())),
      /** failback: the copies at the recovery site, powered off once the VMs run at home again */
      powerOff: siteVms.nullable(),
    }),
  },
  /** provisioner: power off the source VMs of a planned failover */
  powerOff: { key: 'provision.power-off', schema: z.object({ ...base, ...siteVms.shape }) },
  /** the replication side (stand-in): a recovery point of the domain's VMs at a site, taken now */
  replicate: { key: 'replicate.request', schema: z.object({ ...base, domain: z.string(), site: z.string() }) },
  /** rehydrator: write one range of blocks of one disk of a recovery point */
  range: {
    key: 'rehydrate.range',
    schema: z.object({
      ...base,
      jobId: z.string(),
      domain: z.string(),
      pointId: z.string(),
      vm: z.string(),
      disk: z.number().int().min(0),
      firstBlock: z.number().int().min(0),
      blockCount: z.number().int().min(1),
      bytes: z.number().int().min(0),
      diskPath: z.string(),
      /** delta: the point the disk already holds; blocks unchanged since then are skipped */
      previousPointId: z.string().nullable(),
      /**
       * Small disks share one job: each part a whole disk (the fields above are the first part's, `bytes` the job's total).
       * Parts are written several at once (their fsyncs overlap); the job reports no progress
       * until its range-done, so each VM's progress stays exact.
       */
      parts: z.array(rangePart).min(1).optional(),
    }),
  },
  /** janitor: delete the task's temporaries and release its hold on the domain's RocVA */
  release: {
    key: 'janitor.release',
    schema: z.object({
      ...base,
      domain: z.string(),
      site: z.string(),
      removeRecovered: z.boolean(),
      /** a planned failover that did not complete: its source VMs go back on */
      powerOn: siteVms.nullable(),
    }),
  },
} as const;

export const REPLIES = {
  prepared: {
    key: 'reply.prepared',
    schema: z.object({
      ...base,
      rocva: z.string().nullable(),
      temporaries: z.array(z.object({ vm: z.string(), name: z.string(), ip: z.string().nullable(), disks: z.array(disk) })),
    }),
  },
  rangeProgress: {
    key: 'reply.range-progress',
    schema: z.object({ ...base, jobId: z.string(), bytesDone: z.number().min(0) }),
  },
  rangeDone: {
    key: 'reply.range-done',
    schema: z.object({
      ...base,
      jobId: z.string(),
      bytesDone: z.number().min(0),
      ...partStats.shape,
      startedAt: z.string(),
      /** a job of several parts: what each did, in the job's order */
      parts: z.array(partStats).optional(),
    }),
  },
  finalized: {
    key: 'reply.finalized',
    schema: z.object({
      ...base,
      vms: z.array(z.object({ vm: z.string(), name: z.string(), site: z.string(), ip: z.string().nullable(), poweredOnAt: z.string() })),
    }),
  },
  released: { key: 'reply.released', schema: z.object(base) },
  poweredOff: { key: 'reply.powered-off', schema: z.object({ ...base, at: z.string() }) },
  replicated: { key: 'reply.replicated', schema: z.object({ ...base, pointId: z.string(), time: z.string() }) },
  failed: {
    key: 'reply.failed',
    schema: z.object({ ...base, step: z.string(), reason: z.string(), message: z.string() }),
  },
} as const;

type Infer<T extends { schema: z.ZodType }> = z.infer<T['schema']>;
export type PrepareWork = Infer<typeof WORK.prepare>;
export type FinalizeWork = Infer<typeof WORK.finalize>;
export type RangeJob = Infer<typeof WORK.range>;
export type ReleaseWork = Infer<typeof WORK.release>;
export type Prepared = Infer<typeof REPLIES.prepared>;
export type RangeProgress = Infer<typeof REPLIES.rangeProgress>;
export type RangeDone = Infer<typeof REPLIES.rangeDone>;
export type Finalized = Infer<typeof REPLIES.finalized>;
export type Released = Infer<typeof REPLIES.released>;
export type PowerOffWork = Infer<typeof WORK.powerOff>;
export type ReplicateWork = Infer<typeof WORK.replicate>;
export type PoweredOff = Infer<typeof REPLIES.poweredOff>;
export type Replicated = Infer<typeof REPLIES.replicated>;
export type Failed = Infer<typeof REPLIES.failed>;

/** A message kind: its routing key on jss.internal and the schema of its data. */
export interface MessageKind<T> {
  key: string;
  schema: z.ZodType<T>;
}
