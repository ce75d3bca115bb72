import type { VmDisk, VmInfo, VmNic } from '../platform';
import type { ResolvedSite } from './inventory';
import { readOwnerMark } from './owner-mark';
import type { ObjectProps } from './vim';
import { child, children, moRef, text, type XmlNode } from './xml';

/** The VM properties the adapter reads. */
export const VM_PATHS = [
  'name',
  'config.annotation',
  'config.createDate',
  'config.files.vmPathName',
  'config.hardware.device',
  'runtime.powerState',
  'guest.net',
  'resourcePool',
];

/** A virtual disk or NIC as vCenter lists it, with what a reconfiguration needs to name it again. */
export interface DiskDevice {
  key: number;
  controllerKey: number;
  unitNumber: number;
  fileName: string;
  sizeBytes: number;
}

interface NicDevice {
  key: number;
  portGroup: { name?: string; portgroupKey?: string };
}

export function diskDevices(devices: XmlNode | undefined): DiskDevice[] {
  return children(devices, 'VirtualDevice')
    .filter((d) => d.xsiType === 'VirtualDisk')
    .map((d) => ({
      key: Number(text(d, 'key')),
      controllerKey: Number(text(d, 'controllerKey')),
      unitNumber: Number(text(d, 'unitNumber')),
      fileName: text(d, 'backing', 'fileName') ?? '',
      sizeBytes: Number(text(d, 'capacityInBytes') ?? Number(text(d, 'capacityInKB') ?? 0) * 1024),
    }))
    .sort((a, b) => a.controllerKey - b.controllerKey || a.unitNumber - b.unitNumber);
}

function nicDevices(devices: XmlNode | undefined): NicDevice[] {
  return children(devices, 'VirtualDevice')
    .filter((d) => child(d, 'macAddress') !== undefined || child(d, 'addressType') !== undefined)
    .map((d) => {
      const backing = child(d, 'backing');
      return {
        key: Number(text(d, 'key')),
        portGroup: { name: text(backing, 'deviceName'), portgroupKey: text(backing, 'port', 'portgroupKey') },
      };
    });
}

/** "[LocalDS_0] web/web.vmx" → "LocalDS_0". */
export function datastoreOfPath(path: string): string {
  const close = path.indexOf(']');
  return path.startsWith('[') && close > 0 ? path.slice(1, close) : '';
}

/** A VM of a site as the Platform interface shows it, names translated to the site file's. */
export function toVmInfo(site: ResolvedSite, vm: ObjectProps): VmInfo {
  const devices = vm.props.get('config.hardware.device');
  const mark = readOwnerMark(vm.props.get('config.annotation')?.text);
  const pool = moRef(vm.props.get('resourcePool'));
  const cluster = [...site.clusters].find(([, c]) => c.resourcePool.value === pool?.value)?.[0] ?? '';
  const vsphereDs = datastoreOfPath(vm.props.get('config.files.vmPathName')?.text ?? '');
  const datastore = [...site.datastores].find(([, d]) => d.vsphere === vsphereDs)?.[0] ?? vsphereDs;
  const guestNics = children(vm.props.get('guest.net'), 'GuestNicInfo');
  const nics: VmNic[] = nicDevices(devices).map((nic, i) => {
    const network = [...site.networks].find(([, n]) =>
      n.backing.kind === 'standard' ? n.backing.name === nic.portGroup.name : n.backing.portgroupKey === nic.portGroup.portgroupKey,
    );
    const guest = guestNics.find((g) => Number(text(g, 'deviceConfigId')) === nic.key);
    const reported = children(guest, 'ipAddress')
      .map((a) => a.text)
      .find((ip) => ip.includes('.'));
    return { network: network?.[0] ?? nic.portGroup.name ?? '', ip: reported ?? mark?.ips?.[i] ?? null };
  });
  const disks: VmDisk[] = diskDevices(devices).map((d) => ({ path: d.fileName, sizeBytes: d.sizeBytes }));
  return {
    name: vm.props.get('name')?.text ?? '',
    site: site.name,
    cluster,
    datastore,
    powerState: vm.props.get('runtime.powerState')?.text === 'poweredOn' ? 'poweredOn' : 'poweredOff',
    disks,
    nics,
    owner: mark && { taskId: mark.taskId, kind: mark.kind, domain: mark.domain },
    createdAt: mark?.createdAt ?? vm.props.get('config.createDate')?.text ?? new Date(0).toISOString(),
  };
}
