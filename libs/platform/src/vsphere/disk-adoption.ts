import { PlatformError, type CreateVmSpec } from '../platform';
import type { ResolvedSite } from './inventory';
import type { Vim } from './vim';
import { diskDevices, type DiskDevice } from './vm-props';
import { attachDisk, detachDisk, diskFileName, unitNumber } from './vm-spec';
import type { MoRef, SoapObject, XmlNode } from './xml';

type RunTask = (method: string, self: MoRef, args: SoapObject) => Promise<XmlNode | undefined>;

/** What was done to move one disk, undone in reverse when a later step fails. */
type Step =
  | { detached: { from: MoRef; disk: DiskDevice } }
  | { moved: { from: string; to: string } }
  | { attached: { to: MoRef; fileName: string; unit: number; sizeBytes: number } };

/**
 * Gives a new VM the disks of another (an RVM's rehydrated disks become the recovered VM's): each is
 * detached from its VM (its files kept), moved into the new VM's folder with MoveVirtualDisk_Task
 * (descriptor and flat extent together, no copy on one datastore), and attached to the new VM. On a
 * failure every step is undone, so the source VM has its disks again for a retry.
 */
export class DiskAdoption {
  constructor(
    private readonly vim: Vim,
    private readonly task: RunTask,
  ) {}

  async adopt(site: ResolvedSite, target: MoRef, spec: CreateVmSpec, datastore: string): Promise<void> {
    const wanted = spec.disks.flatMap((d, index) => ('adopt' in d ? [{ path: d.adopt, index }] : []));
    if (wanted.length === 0) return;
    const owners = await this.vim.listUnder(site.vmFolder, 'VirtualMachine', ['config.hardware.device']);
    // vSphere picks the VM's folder ("app", or "app (1)" when a folder "app" exists): the disks go there
    const vmx = (await this.vim.get(target, ['config.files.vmPathName']))?.props.get('config.files.vmPathName')?.text ?? '';
    const folder = vmx.slice(vmx.indexOf('] ') + 2, vmx.lastIndexOf('/'));
    const { virtualDiskManager } = await this.vim.soap.content();
    const steps: Step[] = [];
    try {
      for (const { path, index } of wanted) {
        const owner = owners
          .map((o) => ({ ref: o.obj, disk: diskDevices(o.props.get('config.hardware.device')).find((d) => d.fileName === path) }))
          .find((o) => o.disk);
        if (!owner?.disk) {
          throw new PlatformError(
            'unknown-disk',
            `no VM of site ${site.name} has the disk ${path}: the VM it was rehydrated in is gone from vCenter's inventory`,
          );
        }
        await this.reconfigure(owner.ref, detachDisk(owner.disk));
        steps.push({ detached: { from: owner.ref, disk: owner.disk } });
        const to = diskFileName(datastore, folder, spec.name, index);
        await this.move(virtualDiskManager, site.datacenter, path, to);
        steps.push({ moved: { from: path, to } });
        await this.reconfigure(target, attachDisk(to, unitNumber(index), owner.disk.sizeBytes));
        steps.push({ attached: { to: target, fileName: to, unit: unitNumber(index), sizeBytes: owner.disk.sizeBytes } });
      }
    } catch (err) {
      await this.undo(steps.reverse(), target, virtualDiskManager, site.datacenter).catch(() => undefined);
      throw err;
    }
  }

  private async undo(steps: Step[], target: MoRef, vdm: MoRef, dc: MoRef): Promise<void> {
    for (const step of steps) {
      if ('attached' in step) {
        const attached = diskDevices((await this.vim.get(target, ['config.hardware.device']))?.props.get('config.hardware.device'));
        const disk = attached.find((d) => d.fileName === step.attached.fileName);
        if (disk) await this.reconfigure(target, detachDisk(disk));
      } else if ('moved' in step) {
        await this.move(vdm, dc, step.moved.to, step.moved.from);
      } else {
        const { from, disk } = step.detached;
        await this.reconfigure(from, attachDisk(disk.fileName, disk.unitNumber, disk.sizeBytes));
      }
    }
  }

  private reconfigure(vm: MoRef, change: SoapObject) {
    return this.task('ReconfigVM_Task', vm, { spec: { deviceChange: [change] } });
  }

  private move(vdm: MoRef, dc: MoRef, from: string, to: string) {
    return this.task('MoveVirtualDisk_Task', vdm, {
      sourceName: from,
      sourceDatacenter: dc,
      destName: to,
      destDatacenter: dc,
      force: false,
    });
  }
}
