import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FsObjectStore } from '@jss/store';
import { blocksPrefix, domainKey, imageSha256, ReplicaRepository, ReplicaWriter } from './index';

const MiB = 1 << 20;
const KiB64 = 64 << 10;

describe('ReplicaWriter', () => {
  let dir: string;
  let store: FsObjectStore;
  let writer: ReplicaWriter;
  const countBlocks = async () => (await store.list(blocksPrefix('shop'))).length;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jss-writer-'));
    store = new FsObjectStore(dir);
    writer = new ReplicaWriter(store);
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes generated disks reproducibly, sharing identical blocks', async () => {
    const first = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: 8 * MiB, seed: 1 } }]);
    const blocks = await countBlocks();
    expect(blocks).toBeGreaterThan(0); // (3 MiB of seed 4 are all zeros: nothing would be shared)
    const again = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: 8 * MiB, seed: 1 } }]);
    expect(again.vms).toEqual(first.vms);
    expect(again.parent).toBe(first.id);
    expect(await countBlocks()).toBe(blocks);
  });

  it('uploads only the blocks the store lacks, the manifest last and never over another', async () => {
    await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: 8 * MiB, seed: 1 } }]);
    const puts: string[] = [];
    const put = store.put.bind(store);
    store.put = (key, body, options) => (puts.push(key), put(key, body, options));
    const one = (await store.list(blocksPrefix('shop')))[0];
    await store.delete(one);
    const next = await new ReplicaWriter(store).writePoint('shop', [{ name: 'web', source: { sizeBytes: 8 * MiB, seed: 1 } }]);
    expect(next.vms[0].disks[0].blocks.filter((b) => b !== null).length).toBeGreaterThan(1);
    expect(puts).toEqual([one, `shop/points/${next.id}.json`]);
    const manifest = await store.get(`shop/points/${next.id}.json`);
    await expect(store.put(`shop/points/${next.id}.json`, Buffer.from('{}'), { ifAbsent: true })).rejects.toThrow('already exists');
    expect((await store.get(`shop/points/${next.id}.json`)).equals(manifest)).toBe(true);
  });

  it('carries the VMs not written over from the previous point', async () => {
    await writer.writePoint('shop', [
      { name: 'web', source: { sizeBytes: MiB, seed: 1 } },
      { name: 'db', source: { sizeBytes: 2 * MiB, seed: 1 } },
    ]);
    const before = await new ReplicaRepository(store).resolvePoint('shop');
    const next = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: MiB, seed: 2 } }]);
    expect(next.vms.map((vm) => vm.name)).toEqual(['db', 'web']);
    expect(next.vms[0]).toEqual(before!.vms[0]);
    expect(next.vms[1]).not.toEqual(before!.vms[1]);
  });

  it('snapshots a share of every disk with new data, keeping the rest', async () => {
    const first = await writer.writePoint(
      'shop',
      [
        { name: 'web', source: { sizeBytes: 4 * MiB, seed: 1 } },
        { name: 'tiny', source: { sizeBytes: 100, seed: 1 } },
        { name: 'empty', source: { sizeBytes: 0, seed: 1 } },
      ],
      { blockSize: KiB64 },
    );
    const blocks = await countBlocks();
    const second = await writer.snapshot('shop', { changePercent: 10, seed: 3 });
    const changedOf = (vm: number) => second.vms[vm].disks[0].blocks.filter((hash, i) => hash !== first.vms[vm].disks[0].blocks[i]).length;
    expect(second.vms.map((vm) => vm.name)).toEqual(['empty', 'tiny', 'web']);
    expect([changedOf(0), changedOf(1), changedOf(2)]).toEqual([0, 1, 6]); // 10% of 64 blocks; at least one
    expect(await countBlocks()).toBe(blocks + 7);
    expect(await imageSha256(store, second, 'tiny', 0)).not.toBe(await imageSha256(store, first, 'tiny', 0));

    const third = await writer.snapshot('shop', { changePercent: 0, seed: 3 });
    expect(third.vms).toEqual(second.vms);
    expect(third.parent).toBe(second.id);
  });

  it('keeps the block size of an existing domain', async () => {
    await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: MiB, seed: 1 } }], { blockSize: KiB64 });
    const next = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: MiB, seed: 2 } }]);
    expect(next.blockSize).toBe(KiB64);
    await expect(writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: MiB, seed: 2 } }], { blockSize: MiB })).rejects.toThrow(
      `domain "shop" has ${KiB64}-byte blocks`,
    );
    expect(JSON.parse((await store.get(domainKey('shop'))).toString()).blockSize).toBe(KiB64);
  });

  it('writes a point of none of the VMs of a domain that has one: every VM carried over, at the site asked', async () => {
    const first = await writer.writePoint('same', [{ name: 'web', source: { sizeBytes: MiB, seed: 1 } }]);
    const again = await writer.writePoint('same', [], { site: 'recovery' });
    expect([again.parent, again.site, again.vms]).toEqual([first.id, 'recovery', first.vms]);
  });

  it('refuses bad input before writing anything', async () => {
    const web = { name: 'web', source: { sizeBytes: MiB, seed: 1 } };
    await expect(writer.writePoint('Bad_Domain', [web])).rejects.toThrow('invalid domain name "Bad_Domain"');
    await expect(writer.writePoint('shop', [{ ...web, name: 'web.1' }])).rejects.toThrow('invalid VM name "web.1"');
    await expect(writer.writePoint('shop', [web, web])).rejects.toThrow('each VM may be listed only once');
    await expect(writer.writePoint('shop', [])).rejects.toThrow('at least one VM');
    await expect(writer.writePoint('shop', [web], { blockSize: 1000 })).rejects.toThrow('invalid block size 1000');
    await expect(writer.writePoint('shop', [{ name: 'web', source: { file: path.join(dir, 'nope.img') } }])).rejects.toThrow('ENOENT');
    await expect(writer.snapshot('shop', { changePercent: 5, seed: 1 })).rejects.toThrow('unknown domain "shop"');
    expect(await store.list('')).toEqual([]);

    await writer.writePoint('shop', [web], { time: new Date('2026-11-01T12:00:00Z') });
    await expect(writer.writePoint('shop', [web], { time: new Date('2026-11-01T12:00:00Z') })).rejects.toThrow(
      'is not after the newest point',
    );
    await expect(writer.snapshot('shop', { changePercent: 101, seed: 1 })).rejects.toThrow('change percent must be 0-100');
  });

  it('orders points written within one millisecond', async () => {
    const web = { name: 'web', source: { sizeBytes: 0, seed: 1 } };
    const points = [];
    for (let i = 0; i < 5; i++) points.push(await writer.writePoint('shop', [web]));
    const listed = await new ReplicaRepository(store).listPoints('shop');
    expect(listed.map((p) => p.id)).toEqual(points.map((p) => p.id));
  });
});
