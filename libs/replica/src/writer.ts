import type { ObjectStore } from '@jss/store';
import { assertBlockSize, blockLengthOf, DEFAULT_BLOCK_SIZE } from './block-size';
import { forEachBounded } from './bounded';
import { ImageSource, sourceBlocks, sourceSize } from './image-source';
import { blockKey, blocksPrefix, domainKey, pointKey } from './keys';
import { DomainRecord, Manifest, manifestSchema, ManifestDisk, ManifestVm } from './manifest';
import { assertName } from './assert-name';
import { newPointId } from './point-id';
import { PointOrigin, writeOrigin } from './origins';
import { ReplicaRepository } from './repository';
import { randomBytesOf, randomFloatsOf, sampleIndexes, seedOf } from './seeded';
import { sha256Hex } from './sha256';
import { structuredBytes } from './structured';
import { isAllZero } from './zeros';

export interface VmImage {
  name: string;
  source: ImageSource;
}

export interface WritePointOptions {
  /** block size of a new domain (default 1 MiB); an existing domain keeps its own */
  blockSize?: number;
  /** time of the point (default now); must be after the domain's newest point */
  time?: Date;
  /** the site whose VMs this point was taken from (default the domain's protected site; after a
   *  failover the recovered VMs are protected back from the recovery site) */
  site?: string;
}

export interface SnapshotOptions {
  /** share of each disk's blocks replaced, 0-100 */
  changePercent: number;
  /** with the parent point, decides which blocks change and their new content */
  seed: number;
  /** what the changed blocks hold: random bytes (default; what encryption writes), or structured low-entropy data */
  content?: 'random' | 'structured';
}

/** Blocks hashed and uploaded at once while writing: keeps both cores and a remote store's link busy. */
const UPLOAD_CONCURRENCY = 16;
/** VMs whose images are written at once (each with up to UPLOAD_CONCURRENCY blocks in flight). */
const VMS_AT_ONCE = 8;
/** The site whose VMs a replica written here protects. */
const PROTECTED_SITE = 'primary';

/** Writes recovery points: blocks first, then the manifest, so a crash never leaves a manifest
 *  that points to missing blocks (at worst unreferenced blocks, reused by the next write). */
export class ReplicaWriter {
  private readonly repo: ReplicaRepository;
  /** per domain, the blocks the store holds: listed once per point written, not looked up per block */
  private readonly known = new Map<string, Promise<Set<string>>>();

  constructor(private readonly store: ObjectStore) {
    this.repo = new ReplicaRepository(store);
  }

  /**
   * A new point in which the given VMs' disk 0 holds their image; the domain's other VMs carry
   * over from the previous point unchanged (all of them when none is given: a point of a domain
   * whose disks did not change). Creates the domain on its first point.
   */
  async writePoint(domain: string, vms: VmImage[], opts: WritePointOptions = {}): Promise<Manifest> {
    assertName('domain', domain);
    for (const vm of vms) assertName('VM', vm.name);
    const names = new Set(vms.map((vm) => vm.name));
    if (names.size !== vms.length) throw new Error('each VM may be listed only once');
    if (opts.blockSize !== undefined) assertBlockSize(opts.blockSize);
    const sizes = await Promise.all(vms.map((vm) => sourceSize(vm.source)));
    this.known.delete(domain);

    let record = await this.repo.getDomain(domain);
    if (record && opts.blockSize !== undefined && opts.blockSize !== record.blockSize) {
      throw new Error(`domain "${domain}" has ${record.blockSize}-byte blocks; its block size cannot be changed to ${opts.blockSize}`);
    }
    const parent = await this.repo.resolvePoint(domain);
    if (vms.length === 0 && !parent) throw new Error('the first recovery point of a domain needs at least one VM');
    const time = pointTime(parent, opts.time);
    if (!record) {
      record = { name: domain, blockSize: opts.blockSize ?? DEFAULT_BLOCK_SIZE, createdAt: new Date().toISOString(), site: PROTECTED_SITE };
      await this.store.put(domainKey(domain), Buffer.from(JSON.stringify(record, null, 2)));
    }

    // several VMs at once: a domain of thousands of small VMs would otherwise wait on one upload at a time
    const written: ManifestVm[] = new Array(vms.length);
    await forEachBounded([...vms.entries()], VMS_AT_ONCE, async ([i, vm]) => {
      const blocks = await this.storeImage(record, vm, sizes[i]);
      written[i] = { name: vm.name, disks: [{ index: 0, sizeBytes: sizes[i], blocks }] };
    });
    const carried = parent?.vms.filter((vm) => !names.has(vm.name)) ?? [];
    return this.commit(record, parent, [...carried, ...written], time, opts.site);
  }

  /** Beside a point written from VM disks: where each was read from and its identity then (origins.ts). */
  recordOrigin(domain: string, origin: PointOrigin): Promise<void> {
    return writeOrigin(this.store, domain, origin);
  }

  /** A new point from the newest, with `changePercent` of each disk's blocks (at least one when
   *  above 0) replaced by new random (or structured) data. */
  async snapshot(domain: string, opts: SnapshotOptions): Promise<Manifest> {
    if (!(opts.changePercent >= 0 && opts.changePercent <= 100))
      throw new RangeError(`change percent must be 0-100, got ${opts.changePercent}`);
    if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`invalid seed ${opts.seed}: must be an integer`);
    const record = await this.repo.getDomain(domain);
    if (!record) throw new Error(`unknown domain "${domain}"`);
    const parent = await this.repo.resolvePoint(domain);
    if (!parent) throw new Error(`domain "${domain}" has no recovery point to start a snapshot from`);
    const time = pointTime(parent);
    this.known.delete(domain);

    const vms: ManifestVm[] = [];
    for (const vm of parent.vms) {
      const disks: ManifestDisk[] = [];
      for (const disk of vm.disks) disks.push({ ...disk, blocks: await this.changeBlocks(record, parent, vm.name, disk, opts) });
      vms.push({ name: vm.name, disks });
    }
    return this.commit(record, parent, vms, time);
  }

  private async storeImage(record: DomainRecord, vm: VmImage, sizeBytes: number): Promise<Array<string | null>> {
    const blocks: Array<string | null> = [];
    let bytes = 0;
    await forEachBounded(sourceBlocks(vm.source, vm.name, record.blockSize), UPLOAD_CONCURRENCY, async (data) => {
      const index = blocks.length; // taken before the first await: blocks are started in order
      blocks.push(null);
      bytes += data.length;
      blocks[index] = await this.storeBlock(record.name, data);
    });
    if (bytes !== sizeBytes) throw new Error(`the image of VM "${vm.name}" changed size while it was read (${sizeBytes} → ${bytes} bytes)`);
    return blocks;
  }

  private async changeBlocks(
    record: DomainRecord,
    parent: Manifest,
    vm: string,
    disk: ManifestDisk,
    { changePercent, seed, content = 'random' }: SnapshotOptions,
  ): Promise<Array<string | null>> {
    const n = disk.blocks.length;
    const count = changePercent > 0 ? Math.min(n, Math.max(1, Math.round((n * changePercent) / 100))) : 0;
    const changed = sampleIndexes(n, count, randomFloatsOf(seedOf('snapshot', seed, parent.id, vm, disk.index)));
    const blocks = [...disk.blocks];
    await forEachBounded(changed, UPLOAD_CONCURRENCY, async (index) => {
      const length = blockLengthOf(disk.sizeBytes, record.blockSize, index);
      const blockSeed = seedOf('snapshot-block', seed, parent.id, vm, disk.index, index);
      const data = content === 'structured' ? structuredBytes(blockSeed, length) : randomBytesOf(blockSeed, length);
      blocks[index] = await this.storeBlock(record.name, data);
    });
    return blocks;
  }

  /** Content-addressed: an all-zero block is not stored (null), one the store has not uploaded again. */
  private async storeBlock(domain: string, data: Buffer): Promise<string | null> {
    if (isAllZero(data)) return null;
    const hash = await sha256Hex(data);
    const known = await this.knownBlocks(domain);
    if (!known.has(hash)) {
      known.add(hash); // before the upload: the same block twice in one image is uploaded once
      try {
        await this.store.put(blockKey(domain, hash), data);
      } catch (err) {
        known.delete(hash);
        throw err;
      }
    }
    return hash;
  }

  private knownBlocks(domain: string): Promise<Set<string>> {
    let known = this.known.get(domain);
    if (!known) {
      known = this.store.list(blocksPrefix(domain)).then((keys) => new Set(keys.map((k) => k.slice(k.lastIndexOf('/') + 1))));
      known.catch(() => this.known.delete(domain));
      this.known.set(domain, known);
    }
    return known;
  }

  private async commit(
    record: DomainRecord,
    parent: Manifest | null,
    vms: ManifestVm[],
    time: Date,
    site = parent?.site ?? record.site,
  ): Promise<Manifest> {
    const manifest = manifestSchema.parse({
      version: 1,
      id: newPointId(time),
      domain: record.name,
      time: time.toISOString(),
      blockSize: record.blockSize,
      parent: parent?.id ?? null,
      site,
      vms: [...vms].sort((a, b) => (a.name < b.name ? -1 : 1)),
    });
    // last, and never over another point: a point id is taken once (If-None-Match: * where the store has it)
    await this.store.put(pointKey(record.name, manifest.id), Buffer.from(JSON.stringify(manifest)), { ifAbsent: true });
    return manifest;
  }
}

/** Points of a domain are strictly ordered in time (ids sort like times, to the millisecond). */
function pointTime(parent: Manifest | null, requested?: Date): Date {
  const after = parent ? Date.parse(parent.time) : -Infinity;
  if (requested === undefined) return new Date(Math.max(Date.now(), after + 1));
  if (Number.isNaN(requested.getTime())) throw new RangeError('invalid recovery point time');
  if (parent && requested.getTime() <= after) {
    throw new Error(`recovery point time ${requested.toISOString()} is not after the newest point ${parent.id} (${parent.time})`);
  }
  return requested;
}
