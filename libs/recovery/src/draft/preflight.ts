import { REASONS, RESERVED_PREFIX, ReasonedError } from '@jss/contract';
import { Platform, temporaryName } from '@jss/platform';
import { blocksPrefix } from '@jss/replica';
import { ObjectStore } from '@jss/store';
import { profileOf } from '@jss/tasks';
import { ROCVA_DISK_BYTES } from '@jss/temporaries';
import { TaskDraft, pointVms } from './draft';
import { existingVms } from './existing-vms';
import { networkAt } from './resolve';

/**
 * Checks run before anything is created, for every operation: DHCP on the networks that need it
 * with enough free leases for all the task's VMs at once, room on the target datastore, every
 * final name free (unless replacing), every disk one the platform can create, and every block
 * of the recovery point in the object store (that the store answers at all is checked before
 * planning: assertStoreReachable). A failed check throws ReasonedError and nothing has changed.
 */
export async function preflight(draft: TaskDraft, platform: Platform, store: ObjectStore): Promise<void> {
  const { spec, target } = draft;
  const reserved = spec.finals.find((f) => f.name.startsWith(RESERVED_PREFIX));
  if (reserved) {
    throw new ReasonedError(
      REASONS.invalidCommand,
      `"${reserved.name}" may not be the name of a recovered VM: "${RESERVED_PREFIX}" names are the system's own`,
    );
  }
  checkDiskSizes(draft);
  const rocvaNeeded = profileOf(draft.operation).usesRocva && !(await platform.getVm(target.site, temporaryName('rocva', draft.domain)));
  const leases = new Map<string, number>();
  const lease = (network: string, n = 1) => leases.set(network, (leases.get(network) ?? 0) + n);
  lease(spec.temporaryNetwork, draft.vms.length + (rocvaNeeded ? 1 : 0));
  for (const f of spec.finals) if (f.ip === 'dhcp') lease(f.network);
  for (const [name, needed] of leases) {
    const network = await networkAt(platform, name, target.site);
    if (!network.dhcp) {
      throw new ReasonedError(
        REASONS.noDhcp,
        `network "${name}" has no DHCP; ${name === spec.temporaryNetwork ? 'RVMs and Test VMs need' : 'a VM without a static ip needs'} a DHCP address`,
      );
    }
    if (network.freeAddresses < needed) {
      throw new ReasonedError(
        REASONS.dhcpExhausted,
        `network "${name}" has ${network.freeAddresses} free DHCP addresses; this task needs ${needed}`,
      );
    }
  }
  const datastore = await platform.getDatastore(target.datastore);
  const bytes = draft.bytesTotal + (rocvaNeeded ? ROCVA_DISK_BYTES : 0);
  if (datastore && datastore.freeBytes < bytes) {
    throw new ReasonedError(
      REASONS.datastoreFull,
      `datastore "${datastore.name}" has ${datastore.freeBytes} bytes free; this task needs ${bytes}`,
    );
  }
  const kept = spec.finals.filter((f) => !f.replace);
  const existing = await existingVms(
    platform,
    target.site,
    kept.map((f) => f.name),
  );
  for (const f of kept) {
    if (existing.has(f.name)) {
      throw new ReasonedError(
        REASONS.vmExists,
        `a VM named "${f.name}" already exists at site "${target.site}"; choose another name or replace it`,
      );
    }
  }
  await checkBlocks(draft, store);
}

/** vSphere creates no disk of 0 bytes: refuse before the RocVA and RVMs exist, not at prepare. */
function checkDiskSizes(draft: TaskDraft): void {
  for (const vm of pointVms(draft.point, draft.vms)) {
    const empty = vm.disks.find((d) => d.sizeBytes === 0);
    if (empty) {
      throw new ReasonedError(
        REASONS.unsupportedDisk,
        `disk ${empty.index} of VM "${vm.name}" in recovery point ${draft.point.id} is 0 bytes; the platform cannot create an empty disk`,
      );
    }
  }
}

/**
 * The first check of a recovery command, before the domain is looked up: a store that cannot be
 * read must be reported as such, not as an unknown domain.
 */
export async function assertStoreReachable(store: ObjectStore): Promise<void> {
  try {
    await store.ping();
  } catch (err) {
    throw unreachable(err);
  }
}

const unreachable = (err: unknown) =>
  new ReasonedError(REASONS.storeUnreachable, `the object store cannot be read: ${err instanceof Error ? err.message : String(err)}`);

async function checkBlocks(draft: TaskDraft, store: ObjectStore): Promise<void> {
  let stored: Set<string>;
  try {
    stored = new Set((await store.list(blocksPrefix(draft.domain))).map((k) => k.slice(k.lastIndexOf('/') + 1)));
  } catch (err) {
    throw unreachable(err);
  }
  for (const vm of pointVms(draft.point, draft.vms)) {
    for (const disk of vm.disks) {
      const missing = disk.blocks.findIndex((b) => b !== null && !stored.has(b));
      if (missing >= 0) {
        throw new ReasonedError(
          REASONS.blocksMissing,
          `recovery point ${draft.point.id}: block ${missing} of disk ${disk.index} of VM "${vm.name}" (${disk.blocks[missing]}) is not in the object store`,
        );
      }
    }
  }
}
