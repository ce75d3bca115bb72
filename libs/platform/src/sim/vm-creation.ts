import { UnconfirmedWriteError } from '@jss/redis';
import { PlatformError, type CreateVmSpec, type VmDisk, type VmInfo, type VmNic } from '../platform';
import { parseVmMember } from './keys';
import { creationRequest } from './creation-request';
import type { DatastoreFolders } from './datastore-folders';
import { diskPath } from './disk-paths';
import type { InventoryStore } from './inventory';
import type { Lease } from './vm-record';
import type { Reservation, VmReservations } from './vm-reservations';

/** A file operation done for a VM being created, undone if the creation fails. */
type FileStep = { created: string } | { moved: { from: string; to: string } };

/** Test-only crash points (JSS_TEST_CRASH_AT): the process kills itself there, as a crash would. */
export type CrashPoint = 'create-before-commit' | 'adopt-before-commit';

/** createVm: check, reserve, lay the disk files down, commit the record; on any failure undo it all. */
export class VmCreation {
  constructor(
    private readonly inventory: InventoryStore,
    private readonly reservations: VmReservations,
    private readonly folders: DatastoreFolders,
    private readonly crashAt?: CrashPoint,
  ) {}

  async create(spec: CreateVmSpec): Promise<VmInfo> {
    await this.expire(Date.now());
    const request = await creationRequest(this.inventory, spec);
    let reservation = await this.reservations.reserve(request);
    if (reservation === 'held') {
      // a reservation of this name is recorded: roll it back if its process is gone, then try again
      const stale = await this.reservations.take(spec.site, spec.name, Date.now(), spec.takeOver ?? false);
      if (stale) await this.rollBack(stale);
      reservation = await this.reservations.reserve(request);
      if (reservation === 'held') {
        throw new PlatformError('vm-exists', `a VM named ${spec.name} is being created on site ${spec.site}`);
      }
    }
    const steps: FileStep[] = [];
    try {
      const disks = await this.placeDisks(spec, reservation, steps);
      this.crashHere(spec.disks.some((d) => 'adopt' in d) ? ['adopt-before-commit', 'create-before-commit'] : ['create-before-commit']);
      const { nics, leases } = addresses(spec, reservation.ips);
      const vm: VmInfo = {
        name: spec.name,
        site: spec.site,
        cluster: spec.cluster,
        datastore: spec.datastore,
        powerState: spec.powerOn ? 'poweredOn' : 'poweredOff',
        disks,
        nics,
        owner: spec.owner,
        createdAt: new Date().toISOString(),
      };
      if (!(await this.reservations.commit(reservation, { ...vm, leases }))) {
        throw new Error(`the reservation of VM ${spec.name} expired before the VM was created`);
      }
      return vm;
    } catch (err) {
      // a write no replica confirmed may stand or be gone after a promotion: as after a crash here,
      // the retry finds the VM, or rolls the reservation back (undoing now could strip a committed VM of its disks)
      if (!(err instanceof UnconfirmedWriteError)) await this.undo(reservation, steps);
      throw err;
    }
  }

  /** New disks become sparse files, adopted ones are moved; each is named after its position. */
  private async placeDisks(spec: CreateVmSpec, reservation: Reservation, steps: FileStep[]): Promise<VmDisk[]> {
    const adopted = [...reservation.adopted];
    const disks: VmDisk[] = [];
    for (const [index, disk] of spec.disks.entries()) {
      const path = diskPath(spec.datastore, spec.name, index);
      const file = this.folders.file(path);
      if ('adopt' in disk) {
        const from = this.folders.file(disk.adopt);
        await this.folders.move(from, file);
        steps.push({ moved: { from, to: file } });
        disks.push({ path, sizeBytes: adopted.shift()!.disk.sizeBytes });
      } else {
        steps.push({ created: file }); // before: a file left half-created is removed too
        await this.folders.createSparse(file, disk.sizeBytes);
        disks.push({ path, sizeBytes: disk.sizeBytes });
      }
    }
    return disks;
  }

  /** Rolls back the reservations whose process died (expired), a few per call: the next creations do the rest. */
  async expire(now: number): Promise<void> {
    for (const member of await this.reservations.expired(now)) {
      const { site, name } = parseVmMember(member);
      const stale = await this.reservations.take(site, name, now, false);
      if (stale) await this.rollBack(stale);
    }
  }

  /**
   * A reservation left by a dead process, undone as its own failure would have been: the new files
   * removed, the adopted disks moved back (those it had not moved yet stay where they are), then Redis.
   */
  private async rollBack(stale: Reservation): Promise<void> {
    const { files, adopt } = stale.request;
    const targets = files.filter((f) => f.adopted).map((f) => this.folders.file(f.path));
    await this.undo(stale, [
      ...files.filter((f) => !f.adopted).map((f) => ({ created: this.folders.file(f.path) })),
      ...adopt.map((a, i) => ({ moved: { from: this.folders.file(a.path), to: targets[i] } })),
    ]);
  }

  private crashHere(points: CrashPoint[]): void {
    if (this.crashAt && points.includes(this.crashAt)) process.kill(process.pid, 'SIGKILL');
  }

  /**
   * Files first, in reverse: an adopted disk must be back in its source VM's folder before the
   * rollback lists it there again. A disk whose source VM was deleted meanwhile has no owner left.
   */
  private async undo(reservation: Reservation, steps: FileStep[]): Promise<void> {
    const { datastore, name } = reservation.request;
    for (const step of steps.reverse()) {
      const undone = 'created' in step ? this.folders.removeFile(step.created) : this.folders.move(step.moved.to, step.moved.from);
      await undone.catch(() => undefined); // best effort: the Redis rollback below must run regardless
    }
    await this.folders.removeFolderIfEmpty(this.folders.vmFolder(datastore, name));
    await this.folders.removeDisks(await this.reservations.rollback(reservation));
  }
}

function addresses(spec: CreateVmSpec, ips: string[]): { nics: VmNic[]; leases: Lease[] } {
  const leased = [...ips];
  const leases: Lease[] = [];
  const nics = spec.nics.map(({ network, ip }) => {
    if (ip !== 'dhcp') return { network, ip };
    const lease = { network, ip: leased.shift()! };
    leases.push(lease);
    return lease;
  });
  return { nics, leases };
}
