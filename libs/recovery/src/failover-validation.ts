import { FailoverData, REASONS, ReasonedError } from '@jss/contract';
import { NetworkInfo, Platform, temporaryName } from '@jss/platform';
import { Manifest, ReplicaRepository } from '@jss/replica';
import { TaskTarget } from '@jss/tasks';
import { DEFAULT_TARGET, ROCVA_DISK_BYTES } from './defaults';

export interface ValidatedFailover {
  point: Manifest;
  vms: string[];
  target: TaskTarget;
  bytesTotal: number;
}

/**
 * Everything a failover needs, checked before anything is created: the domain, the recovery point,
 * the VMs, the target (cluster, datastore, network on one site), DHCP for the RVMs with enough free
 * leases, room on the datastore, and no VM of that name already at the target site.
 * Throws ReasonedError with the reason code and a sentence.
 */
export async function validateFailover(
  data: FailoverData,
  replica: ReplicaRepository,
  platform: Platform,
): Promise<ValidatedFailover> {
  if (data.bootOrder || data.networkMap) {
    throw new ReasonedError(REASONS.invalidCommand, 'bootOrder and networkMap are not supported yet; send the failover without them');
  }
  if (!(await replica.getDomain(data.domain))) {
    throw new ReasonedError(REASONS.unknownDomain, `protected domain "${data.domain}" does not exist in the object store`);
  }
  const point = await replica.resolvePoint(data.domain, data.recoveryPoint);
  if (!point) {
    const which = data.recoveryPoint ? `"${data.recoveryPoint}"` : 'any';
    throw new ReasonedError(REASONS.unknownRecoveryPoint, `domain "${data.domain}" has no recovery point matching ${which}`);
  }
  const inPoint = new Set(point.vms.map((v) => v.name));
  const vms = data.vms ?? [...inPoint];
  const missing = vms.filter((v) => !inPoint.has(v));
  if (missing.length) {
    throw new ReasonedError(REASONS.unknownVm, `VM ${missing.join(', ')} is not in domain "${data.domain}" at point ${point.id}`);
  }
  const target = await resolveTarget(data, platform);
  const network = (await platform.getNetwork(target.network)) as NetworkInfo;
  if (!network.dhcp) {
    throw new ReasonedError(
      REASONS.noDhcp,
      `network "${network.name}" has no DHCP; RVMs need a DHCP address, choose a target network with DHCP`,
    );
  }
  const rocvaExists = (await platform.getVm(target.site, temporaryName('rocva', data.domain))) !== null;
  const leases = vms.length * 2 + (rocvaExists ? 0 : 1); // an RVM and its recovered VM, and the RocVA
  if (network.freeAddresses < leases) {
    throw new ReasonedError(
      REASONS.dhcpExhausted,
      `network "${network.name}" has ${network.freeAddresses} free DHCP addresses; this failover needs ${leases}`,
    );
  }
  const bytesTotal = point.vms
    .filter((v) => vms.includes(v.name))
    .flatMap((v) => v.disks)
    .reduce((sum, d) => sum + d.sizeBytes, 0);
  const datastore = await platform.getDatastore(target.datastore);
  const needed = bytesTotal + (rocvaExists ? 0 : ROCVA_DISK_BYTES);
  if (datastore && datastore.freeBytes < needed) {
    throw new ReasonedError(
      REASONS.datastoreFull,
      `datastore "${datastore.name}" has ${datastore.freeBytes} bytes free; this failover needs ${needed}`,
    );
  }
  for (const vm of vms) {
    if (await platform.getVm(target.site, vm)) {
      throw new ReasonedError(REASONS.vmExists, `a VM named "${vm}" already exists at site "${target.site}"`);
    }
  }
  return { point, vms, target, bytesTotal };
}

async function resolveTarget(data: FailoverData, platform: Platform): Promise<TaskTarget> {
  const want = { ...DEFAULT_TARGET, ...data.target };
  const cluster = await platform.getCluster(want.cluster);
  if (!cluster) throw new ReasonedError(REASONS.unknownCluster, `cluster "${want.cluster}" does not exist`);
  const datastore = await platform.getDatastore(want.datastore);
  if (!datastore || datastore.site !== cluster.site) {
    throw new ReasonedError(REASONS.unknownDatastore, `datastore "${want.datastore}" does not exist at site "${cluster.site}"`);
  }
  const network = await platform.getNetwork(want.network);
  if (!network || network.site !== cluster.site) {
    throw new ReasonedError(REASONS.unknownNetwork, `network "${want.network}" does not exist at site "${cluster.site}"`);
  }
  return { site: cluster.site, cluster: cluster.name, datastore: datastore.name, network: network.name };
}
