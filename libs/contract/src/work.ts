import { z } from 'zod';
import { LIMITS } from './limits';
import { TEMPORARY_VM_KINDS } from './vm-kinds';

// Internal work and replies between the services, on jss.internal. Validated on arrival like
// anything else that comes over the wire, as strictly as the commands (bounded strings and lists,
// no unknown fields); then checked against the task record (libs/tasks/src/checks).

const id = z.string().min(1).max(LIMITS.idLength);
/** VM, site, cluster, datastore and network names (vSphere allows 80 characters) */
const name = z.string().min(1).max(LIMITS.placeNameLength);
const MAX_VMS = LIMITS.vmsPerTask;
const vmNames = z.array(name).max(MAX_VMS);
/** which of a task's chunks of LIMITS.vmsPerMessage VMs a prepare (or its reply) is, of how many */
const chunk = z
  .strictObject({
    index: z.number().int().min(0),
    count: z
      .number()
      .int()
      .min(1)
      .max(Math.ceil(MAX_VMS / LIMITS.vmsPerMessage)),
  })
  .refine((c) => c.index < c.count, 'index must be below count');
const time = z.iso.datetime({ offset: true });
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const diskPath = z.string().min(1).max(LIMITS.diskPathLength);
const ip = z.union([z.literal('dhcp'), z.ipv4()]);
/** an address a platform reported */
const reportedIp = z.string().max(LIMITS.disksPerVm);
const base = { taskId: id, commandId: id, traceparent: z.string().max(100).optional() };
/** VMs of a site (the source VMs of a planned failover, the recovered copies after a failback) */
const siteVms = z.strictObject({ site: name, vms: vmNames });
const disk = z.strictObject({ path: diskPath, sizeBytes: count });
/** rvm: a representation VM whose disks become the recovered VM's; tvm: a Test VM, itself the result */
const temporaryKind = z.enum(TEMPORARY_VM_KINDS);

/** One range of one disk (a part of a range job that bundles small disks). */
const rangePart = z.strictObject({
  vm: name,
  disk: count,
  firstBlock: count,
  blockCount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  bytes: count,
  diskPath,
});

/** What rehydrating a range did. */
const partStats = z.strictObject({
  bytesRead: count,
  blocksRead: count,
  blocksZero: count,
  blocksUnchanged: count,
  bytesWritten: count.optional(),
});
/** failback: an original disk the temporary's disk starts as a copy of, if it still is what `identity` says */
const seedDisk = z.strictObject({ path: diskPath, identity: z.string().min(1).max(300) });

export const WORK = {
  /** provisioner: ensure the domain's RocVA (if used) and create one RVM or Test VM per VM */
  prepare: {
    key: 'provision.prepare',
    schema: z.strictObject({
      ...base,
      useRocva: z.boolean(),
      kind: temporaryKind,
      domain: name,
      site: name,
      cluster: name,
      datastore: name,
      network: name,
      chunk,
      /** each VM's temporary (RVM or Test VM) under the name the planner reserved for it: the chunk's VMs */
      vms: z
        .array(
          z.strictObject({
            name,
            temp: name,
            disks: z.array(count).max(LIMITS.disksPerVm),
            seed: z.array(seedDisk).max(LIMITS.disksPerVm).optional(),
          }),
        )
        .max(LIMITS.vmsPerMessage),
    }),
  },
  /**
   * provisioner: rvm → create each final VM from its RVM's disks; tvm → the Test VMs are the result.
   * Then power them on group by group (boot order), each group up before the next.
   */
  finalize: {
    key: 'provision.finalize',
    schema: z.strictObject({
      ...base,
      kind: temporaryKind,
      domain: name,
      site: name,
      cluster: name,
      datastore: name,
      vms: z
        .array(
          z.strictObject({
            vm: name,
            temp: name,
            name: name,
            network: name,
            ip,
            replace: z.boolean(),
            disks: z.array(diskPath).max(LIMITS.disksPerVm),
          }),
        )
        .max(MAX_VMS),
      bootOrder: z.array(z.strictObject({ vms: vmNames, delaySeconds: z.number().int().min(0).max(3600) })).max(MAX_VMS),
      /** failback: the copies at the recovery site, powered off once the VMs run at home again */
      powerOff: siteVms.nullable(),
    }),
  },
  /** provisioner: power off the source VMs of a planned failover */
  powerOff: { key: 'provision.power-off', schema: z.strictObject({ ...base, ...siteVms.shape }) },
  /** the replication side (stand-in): a recovery point of the domain's VMs at a site, taken now */
  replicate: { key: 'replicate.request', schema: z.strictObject({ ...base, domain: name, site: name }) },
  /** rehydrator: write one range of blocks of one disk of a recovery point */
  range: {
    key: 'rehydrate.range',
    schema: z.strictObject({
      ...base,
      jobId: id,
      domain: name,
      pointId: id,
      vm: name,
      disk: count,
      firstBlock: count,
      blockCount: count.min(1),
      bytes: count,
      diskPath,
      /** delta: the point the disk already holds; blocks unchanged since then are skipped */
      previousPointId: id.nullable(),
      /**
       * Small disks share one job: each part a whole disk (the fields above are the first part's, `bytes` the job's total).
       * Parts are written several at once (their fsyncs overlap); the job reports no progress
       * until its range-done, so each VM's progress stays exact.
       */
      parts: z.array(rangePart).min(1).max(MAX_VMS).optional(),
    }),
  },
  /** janitor: delete the task's temporaries and release its hold on the domain's RocVA */
  release: {
    key: 'janitor.release',
    schema: z.strictObject({
      ...base,
      domain: name,
      site: name,
      removeRecovered: z.boolean(),
      /** a planned failover that did not complete: its source VMs go back on */
      powerOn: siteVms.nullable(),
    }),
  },
} as const;

export const REPLIES = {
  prepared: {
    key: 'reply.prepared',
    schema: z.strictObject({
      ...base,
      rocva: name.nullable(),
      chunk,
      temporaries: z
        .array(
          z.strictObject({
            vm: name,
            name,
            ip: reportedIp.nullable(),
            disks: z.array(disk).max(LIMITS.disksPerVm),
            /** a VM with a seed: whether its disks are copies of the originals, else why not (they are empty) */
            seeded: z.strictObject({ copied: z.boolean(), reason: z.string().max(500).nullable() }).optional(),
          }),
        )
        .max(LIMITS.vmsPerMessage),
    }),
  },
  rangeProgress: {
    key: 'reply.range-progress',
    schema: z.strictObject({ ...base, jobId: id, bytesDone: count }),
  },
  rangeDone: {
    key: 'reply.range-done',
    schema: z.strictObject({
      ...base,
      jobId: id,
      bytesDone: count,
      ...partStats.shape,
      startedAt: time,
      /** a job of several parts: what each did, in the job's order */
      parts: z.array(partStats).max(MAX_VMS).optional(),
    }),
  },
  finalized: {
    key: 'reply.finalized',
    schema: z.strictObject({
      ...base,
      vms: z.array(z.strictObject({ vm: name, name, site: name, ip: reportedIp.nullable(), poweredOnAt: time })).max(MAX_VMS),
    }),
  },
  released: { key: 'reply.released', schema: z.strictObject(base) },
  poweredOff: { key: 'reply.powered-off', schema: z.strictObject({ ...base, at: time }) },
  replicated: { key: 'reply.replicated', schema: z.strictObject({ ...base, pointId: id, time }) },
  failed: {
    key: 'reply.failed',
    schema: z.strictObject({ ...base, work: name, reason: name, message: z.string().max(LIMITS.messageLength) }),
  },
} as const;

/**
 * scanner: scan this recovery point now (of no task). Sent by a scanner's periodic listing for a
 * point no writer announced, and by the planner for the points a `last-clean` command waits for.
 */
export const SCAN_REQUEST = { key: 'scan.request', schema: z.strictObject({ domain: name, pointId: id }) } as const;

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
export type ScanRequest = Infer<typeof SCAN_REQUEST>;

/** A message kind: its routing key on jss.internal and the schema of its data. */
export interface MessageKind<T> {
  key: string;
  schema: z.ZodType<T>;
}

/** Every internal message kind by routing key: how the transport validates what arrives. */
export const INTERNAL_KINDS: ReadonlyMap<string, MessageKind<unknown>> = new Map(
  [...Object.values(WORK), ...Object.values(REPLIES), SCAN_REQUEST].map((k) => [k.key, k as MessageKind<unknown>]),
);
