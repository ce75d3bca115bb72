import type { NicBacking } from './inventory';
import type { DiskDevice } from './vm-props';
import type { SoapObject } from './xml';

// Device specs for CreateVM_Task and ReconfigVM_Task. vim25 data objects are XML sequences: every
// field below is written in the schema's order.

export const SCSI_KEY = 1000;

/** SCSI unit 7 is the controller's own. */
export function unitNumber(index: number): number {
  return index < 7 ? index : index + 1;
}

export function scsiController(): SoapObject {
  return { operation: 'add', device: { $type: 'ParaVirtualSCSIController', key: SCSI_KEY, busNumber: 0, sharedBus: 'noSharing' } };
}

/** A new thin disk in the VM's folder; vSphere names it <vm>.vmdk, <vm>_1.vmdk, ... */
export function newDisk(datastore: string, index: number, sizeBytes: number): SoapObject {
  return {
    operation: 'add',
    fileOperation: 'create',
    device: diskDevice(-(index + 1), `[${datastore}]`, unitNumber(index), sizeBytes),
  };
}

/** An existing disk file attached as it is (no file operation), at a SCSI unit. */
export function attachDisk(fileName: string, unit: number, sizeBytes: number): SoapObject {
  return { operation: 'add', device: diskDevice(-(unit + 1), fileName, unit, sizeBytes) };
}

/** Detaches a disk and keeps its files (no file operation: Destroy_Task of the VM no longer deletes it). */
export function detachDisk(disk: DiskDevice): SoapObject {
  return {
    operation: 'remove',
    device: {
      $type: 'VirtualDisk',
      key: disk.key,
      backing: { $type: 'VirtualDiskFlatVer2BackingInfo', fileName: disk.fileName, diskMode: 'persistent' },
      controllerKey: disk.controllerKey,
      unitNumber: disk.unitNumber,
      capacityInKB: Math.ceil(disk.sizeBytes / 1024),
    },
  };
}

function diskDevice(key: number, fileName: string, unit: number, sizeBytes: number): SoapObject {
  return {
    $type: 'VirtualDisk',
    key,
    backing: { $type: 'VirtualDiskFlatVer2BackingInfo', fileName, diskMode: 'persistent', thinProvisioned: true },
    controllerKey: SCSI_KEY,
    unitNumber: unit,
    capacityInKB: Math.ceil(sizeBytes / 1024),
    capacityInBytes: sizeBytes,
  };
}

export function nic(index: number, backing: NicBacking): SoapObject {
  return {
    operation: 'add',
    device: {
      $type: 'VirtualVmxnet3',
      key: -(100 + index),
      backing:
        backing.kind === 'standard'
          ? { $type: 'VirtualEthernetCardNetworkBackingInfo', deviceName: backing.name, network: backing.ref }
          : {
              $type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo',
              port: { switchUuid: backing.switchUuid, portgroupKey: backing.portgroupKey },
            },
      connectable: { startConnected: true, allowGuestControl: true, connected: true },
      addressType: 'generated',
    },
  };
}

/** The datastore path of the index-th disk of a VM in its folder, as vSphere names new disks. */
export function diskFileName(datastore: string, folder: string, vm: string, index: number): string {
  return `[${datastore}] ${folder}/${vm}${index === 0 ? '' : `_${index}`}.vmdk`;
}
