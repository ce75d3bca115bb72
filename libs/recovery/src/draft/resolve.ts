import { LAST_CLEAN, LIMITS, REASONS, ReasonedError, Target, TaskPoint, limitMessage } from '@jss/contract';
import { NetworkInfo, Platform, outsideRange } from '@jss/platform';
import { Manifest, ReplicaRepository } from '@jss/replica';
import { PointVerdicts } from '@jss/scan';
import { BootGroup, TaskTarget } from '@jss/tasks';

export type PointVerdict = Pick<TaskPoint, 'verdict' | 'message'>;

/**
 * The domain, its recovery point (id, newest at or before a time, or with `verdicts` the last
 * clean one) and the VMs asked for; with `verdicts`, the point's scan verdict for those VMs.
 */
export async function resolvePoint(
  replica: ReplicaRepository,
  domain: string,
  ref: string | undefined,
  vms: string[] | undefined,
  verdicts?: PointVerdicts,
): Promise<{ point: Manifest; vms: string[]; verdict?: PointVerdict }> {
  if (!(await replica.getDomain(domain))) {
    throw new ReasonedError(REASONS.unknownDomain, `protected domain "${domain}" does not exist in the object store`);
  }
  if (ref === LAST_CLEAN && !verdicts)
    throw new ReasonedError(REASONS.invalidCommand, `"${LAST_CLEAN}" is not a recovery point this operation takes`);
  const point = ref === LAST_CLEAN ? await verdicts!.lastClean(domain, vms) : await replica.resolvePoint(domain, ref);
  if (!point) {
    const oldest = await replica.oldestPoint(domain);
    const hint = oldest ? ` (the oldest is ${oldest.id} at ${oldest.time})` : '';
    throw new ReasonedError(
      REASONS.unknownRecoveryPoint,
      `domain "${domain}" has no recovery point matching ${ref ? `"${ref}"` : 'any'}${hint}`,
    );
  }
  const inPoint = new Set(point.vms.map((v) => v.name));
  const chosen = vms ?? [...inPoint];
  const missing = chosen.filter((v) => !inPoint.has(v));
  if (missing.length) {
    throw new ReasonedError(REASONS.unknownVm, `VM ${missing.join(', ')} is not in domain "${domain}" at point ${point.id}`);
  }
  checkLimits(point, chosen);
  return { point, vms: chosen, ...(verdicts && { verdict: await verdicts.of(point, chosen) }) };
}

/** What a task of these VMs would carry must fit the contract's limits: refused now, not hit later. */
function checkLimits(point: Manifest, vms: string[]): void {
  if (vms.length > LIMITS.vmsPerTask) {
    throw new ReasonedError(REASONS.limitExceeded, limitMessage('vmsPerTask', vms.length, `VMs of domain "${point.domain}" to recover`));
  }
  const chosen = new Set(vms);
  const wide = point.vms.find((v) => chosen.has(v.name) && v.disks.length > LIMITS.disksPerVm);
  if (wide) throw new ReasonedError(REASONS.limitExceeded, limitMessage('disksPerVm', wide.disks.length, `disks of VM "${wide.name}"`));
}

/** Cluster, datastore and network, all present and on one site. */
export async function resolveTarget(platform: Platform, want: Required<Target>): Promise<TaskTarget> {
  const cluster = await platform.getCluster(want.cluster);
  if (!cluster) throw new ReasonedError(REASONS.unknownCluster, `cluster "${want.cluster}" does not exist`);
  const datastore = await platform.getDatastore(want.datastore);
  if (!datastore || datastore.site !== cluster.site) {
    throw new ReasonedError(REASONS.unknownDatastore, `datastore "${want.datastore}" does not exist at site "${cluster.site}"`);
  }
  await networkAt(platform, want.network, cluster.site);
  return { site: cluster.site, cluster: cluster.name, datastore: datastore.name, network: want.network };
}

export async function networkAt(platform: Platform, name: string, site: string): Promise<NetworkInfo> {
  const network = await platform.getNetwork(name);
  if (!network || network.site !== site) {
    throw new ReasonedError(REASONS.unknownNetwork, `network "${name}" does not exist at site "${site}"`);
  }
  return network;
}

/**
 * Checks the static addresses of a task's final VMs against the range their network has at the
 * site (where the platform knows one): an address outside it is refused with `reason`, naming the
 * VM and the range. Each network is looked up once, whatever the number of VMs.
 */
export async function checkStaticAddresses(
  platform: Platform,
  site: string,
  finals: Array<{ vm: string; network: string; ip: string }>,
  refuse: (detail: string) => ReasonedError,
): Promise<void> {
  const networks = new Map<string, Promise<NetworkInfo>>();
  for (const { vm, network, ip } of finals) {
    if (ip === 'dhcp') continue;
    if (!networks.has(network)) networks.set(network, networkAt(platform, network, site));
    const outside = outsideRange(ip, network, (await networks.get(network)!).subnet);
    if (outside) throw refuse(`VM "${vm}" may not be re-addressed: ${outside}`);
  }
}

/** A boot order may only name VMs of the task, each once. Groups given as lists get no delay. */
export function checkBootOrder(bootOrder: Array<string[] | BootGroup> | undefined, vms: string[]): BootGroup[] {
  const groups = (bootOrder ?? []).map((g) => (Array.isArray(g) ? { vms: g, delaySeconds: 0 } : g));
  const seen = new Set<string>();
  const task = new Set(vms);
  for (const name of groups.flatMap((g) => g.vms)) {
    if (!task.has(name)) throw new ReasonedError(REASONS.invalidCommand, `bootOrder names "${name}", which is not a VM of this task`);
    if (seen.has(name)) throw new ReasonedError(REASONS.invalidCommand, `bootOrder names "${name}" twice`);
    seen.add(name);
  }
  return groups;
}
