import { Platform, diskIdentity } from '@jss/platform';
import { Manifest, ManifestVm, ReplicaRepository, blockLengthOf } from '@jss/replica';
import { FailbackBase } from '@jss/tasks';

/**
 * Failback from what the original site still holds: the newest point read there (its origin record
 * says from which disk each VM's disk was read, and that disk's identity then). A VM whose original
 * VM is there with every disk at the recorded path and identity may start from copies of them
 * (its delta: the blocks whose hash differs between that point and the failback point); any other
 * starts empty, and the reason says why (every VM, when no point read at `home` is left to start from).
 */
export async function failbackBase(
  replica: ReplicaRepository,
  platform: Platform,
  point: Manifest,
  vms: string[],
  home: string,
): Promise<{ base: FailbackBase; manifest: Manifest | null }> {
  const allFull = (reason: string) => ({ base: { point: null, seeds: [], full: vms.map((vm) => ({ vm, reason })) }, manifest: null });
  const origin = await replica.newestOrigin(point.domain, home);
  if (!origin) return allFull(`no recovery point of "${point.domain}" read at site "${home}" records its disks' identities`);
  const base = await replica.getPoint(point.domain, origin.pointId);
  if (!base) return allFull(`recovery point ${origin.pointId}, the newest read at site "${home}", is gone from the object store`);
  const result: FailbackBase = { point: { id: base.id, time: base.time }, seeds: [], full: [] };
  for (const vm of vms) {
    const reason = await whyNot(platform, home, base, point, vm, origin.vms.find((v) => v.name === vm)?.disks);
    if (reason) result.full.push({ vm, reason });
    else result.seeds.push({ vm, disks: origin.vms.find((v) => v.name === vm)!.disks.map(({ path, identity }) => ({ path, identity })) });
  }
  return { base: result, manifest: base };
}

/** Why a VM's original disks cannot be shown to hold the base point; null when they can. */
async function whyNot(
  platform: Platform,
  home: string,
  base: Manifest,
  point: Manifest,
  vm: string,
  recorded: Array<{ index: number; path: string; identity: string }> | undefined,
): Promise<string | null> {
  const was = base.vms.find((v) => v.name === vm);
  const now = point.vms.find((v) => v.name === vm)!;
  if (!was || !recorded) return `point ${base.id} recorded no identity of VM ${vm}'s disks (not read there, or changing while read)`;
  if (!sameShape(was, now) || recorded.length !== was.disks.length)
    return `VM ${vm}'s disks changed in number or size since point ${base.id}`;
  const original = await platform.getVm(home, vm);
  if (!original) return `VM ${vm} is gone from site ${home}`;
  for (const d of recorded) {
    if (original.disks[d.index]?.path !== d.path)
      return `disk ${d.index} of VM ${vm} at site ${home} is not the disk point ${base.id} was read from`;
    if ((await diskIdentity(platform, d.path)) !== d.identity)
      return `disk ${d.index} of VM ${vm} at site ${home} was written or replaced since point ${base.id} was read from it`;
  }
  return null;
}

const sameShape = (a: ManifestVm, b: ManifestVm) =>
  a.disks.length === b.disks.length && a.disks.every((d, i) => d.index === b.disks[i].index && d.sizeBytes === b.disks[i].sizeBytes);

/** Bytes a failback reads and writes: per seeded VM the blocks that differ from the base, per other VM its non-zero blocks. */
export function failbackBytes(point: Manifest, base: Manifest | null, vms: string[], seeded: ReadonlySet<string>): number {
  let bytes = 0;
  for (const vm of point.vms.filter((v) => vms.includes(v.name))) {
    const was = seeded.has(vm.name) ? base?.vms.find((v) => v.name === vm.name) : undefined;
    vm.disks.forEach((d, k) =>
      d.blocks.forEach((b, i) => {
        const before = was ? was.disks[k].blocks[i] : null;
        if (b !== before && (b !== null || was)) bytes += blockLengthOf(d.sizeBytes, point.blockSize, i);
      }),
    );
  }
  return bytes;
}
