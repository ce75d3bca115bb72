import { isIP } from 'node:net';
import { PlatformError, type CreateVmSpec, type PlatformErrorCode } from '../platform';
import { diskPath, parseDiskPath } from './disk-paths';
import type { InventoryStore } from './inventory';
import { assertValidName } from '../valid-name';
import type { AdoptSource, ReservationRequest } from './vm-reservations';

/** vSphere's largest virtual disk, 62 TiB; also keeps sizes within the 14 digits Redis' cjson writes exactly. */
const MAX_DISK_BYTES = 62 * 1024 ** 4;

/**
 * Checks a spec against the inventory before anything is taken or written, and turns it into what
 * the reservation needs. What can change under us (name, pools, space, adopted disks) is checked
 * again, atomically, by the reservation itself.
 */
export async function creationRequest(inventory: InventoryStore, spec: CreateVmSpec): Promise<ReservationRequest> {
  assertValidName('VM', spec.name);
  if (!(await inventory.hasSite(spec.site))) {
    throw new PlatformError('unknown-site', `there is no site named ${spec.site}`);
  }
  assertOnSite('unknown-cluster', 'cluster', spec.cluster, await inventory.cluster(spec.cluster), spec.site);
  assertOnSite('unknown-datastore', 'datastore', spec.datastore, await inventory.datastore(spec.datastore), spec.site);

  const dhcpNetworks: string[] = [];
  for (const nic of spec.nics) {
    const network = await inventory.network(nic.network);
    assertOnSite('unknown-network', 'network', nic.network, network, spec.site);
    if (nic.ip === 'dhcp') {
      if (!network.dhcp) {
        throw new PlatformError(
          'no-dhcp',
          `network ${nic.network} has no DHCP; VM ${spec.name} needs a network with DHCP or a static address`,
        );
      }
      dhcpNetworks.push(nic.network);
    } else if (!isIP(nic.ip)) {
      throw new PlatformError('invalid-spec', `${JSON.stringify(nic.ip)} is neither "dhcp" nor an IP address`);
    }
  }

  let newBytes = 0;
  const adopt: AdoptSource[] = [];
  for (const disk of spec.disks) {
    if ('adopt' in disk) {
      adopt.push(await adoptSource(inventory, disk.adopt));
    } else if (Number.isSafeInteger(disk.sizeBytes) && disk.sizeBytes > 0 && disk.sizeBytes <= MAX_DISK_BYTES) {
      newBytes += disk.sizeBytes;
    } else {
      throw new PlatformError('invalid-spec', `disk size ${disk.sizeBytes} is not a whole number of bytes from 1 to 62 TiB`);
    }
  }
  const files = spec.disks.map((disk, index) => ({ path: diskPath(spec.datastore, spec.name, index), adopted: 'adopt' in disk }));
  return { site: spec.site, name: spec.name, datastore: spec.datastore, newBytes, dhcpNetworks, adopt, files };
}

/** A disk lives in the folder of the VM that lists it, on that VM's site. */
async function adoptSource(inventory: InventoryStore, path: string): Promise<AdoptSource> {
  const { datastore, vm } = parseDiskPath(path);
  const source = await inventory.datastore(datastore);
  if (!source) throw new PlatformError('unknown-disk', `disk ${path} is on datastore ${datastore}, which does not exist`);
  return { path, site: source.site, vm, datastore };
}

function assertOnSite<T extends { site: string }>(
  code: PlatformErrorCode,
  kind: string,
  name: string,
  item: T | null,
  site: string,
): asserts item is T {
  if (!item) throw new PlatformError(code, `there is no ${kind} named ${name}`);
  if (item.site !== site) throw new PlatformError(code, `${kind} ${name} is on site ${item.site}, not on site ${site}`);
}
