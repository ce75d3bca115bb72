import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FsObjectStore } from '@jss/store';
import { InvalidNameError, ManifestError, pointKey, ReplicaRepository, ReplicaWriter } from './index';

describe('ReplicaRepository', () => {
  let dir: string;
  let store: FsObjectStore;
  let repo: ReplicaRepository;
  let writer: ReplicaWriter;
  const at = (iso: string) => new Date(iso);
  const small = { sizeBytes: 70_000, seed: 1 };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jss-repo-'));
    store = new FsObjectStore(dir);
    repo = new ReplicaRepository(store);
    writer = new ReplicaWriter(store);
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('knows nothing of an unknown domain', async () => {
    expect(await repo.listDomains()).toEqual([]);
    expect(await repo.getDomain('shop')).toBeNull();
    expect(await repo.listPoints('shop')).toEqual([]);
    expect(await repo.resolvePoint('shop')).toBeNull();
    expect(await repo.oldestPoint('shop')).toBeNull();
  });

  describe('with three points', () => {
    let ids: string[];

    beforeEach(async () => {
      ids = [];
      for (const time of ['2026-11-01T10:00:00.000Z', '2026-11-01T11:00:00.000Z', '2026-11-01T12:00:00.000Z']) {
        ids.push((await writer.writePoint('shop', [{ name: 'web', source: small }], { time: at(time) })).id);
      }
      await writer.writePoint('crm', [{ name: 'db', source: small }]);
    });

    it('lists domains and points oldest first', async () => {
      await store.put('not-a-domain/x', Buffer.from('x')); // a folder without domain.json
      expect(await repo.listDomains()).toEqual(['crm', 'shop']);
      expect(await repo.getDomain('shop')).toMatchObject({ name: 'shop', blockSize: 1 << 20, site: 'primary' });
      const points = await repo.listPoints('shop');
      expect(points).toEqual([
        { id: ids[0], time: '2026-11-01T10:00:00.000Z', vms: ['web'] },
        { id: ids[1], time: '2026-11-01T11:00:00.000Z', vms: ['web'] },
        { id: ids[2], time: '2026-11-01T12:00:00.000Z', vms: ['web'] },
      ]);
      expect(ids[0]).toMatch(/^rp-20261101T100000000Z-[0-9a-f]{4}$/);
      expect((await repo.oldestPoint('shop'))?.id).toBe(ids[0]);
    });

    it('resolves the newest point, a point id, or the newest at or before a time', async () => {
      expect((await repo.resolvePoint('shop'))?.id).toBe(ids[2]);
      expect((await repo.resolvePoint('shop', ids[1]))?.id).toBe(ids[1]);
      expect((await repo.resolvePoint('shop', '2026-11-01T11:00:00.000Z'))?.id).toBe(ids[1]);
      expect((await repo.resolvePoint('shop', '2026-11-01T11:59:59Z'))?.id).toBe(ids[1]);
      expect((await repo.resolvePoint('shop', '2026-11-01T13:30:00+01:00'))?.id).toBe(ids[2]);
      expect((await repo.resolvePoint('shop', '2026-12-01T00:00:00Z'))?.id).toBe(ids[2]);
      expect(await repo.resolvePoint('shop', '2026-11-01T09:59:59.999Z')).toBeNull();
      expect(await repo.resolvePoint('shop', 'rp-20261101T100000000Z-ffff')).toBeNull();
      await expect(repo.resolvePoint('shop', 'yesterday')).rejects.toThrow('neither a point id (rp-...) nor an ISO 8601 time');
    });

    it('rejects a manifest that does not match the format', async () => {
      const key = pointKey('shop', ids[1]);
      const manifest = JSON.parse((await store.get(key)).toString());
      manifest.vms[0].disks[0].blocks.push(null);
      manifest.blockSize = 1000;
      await store.put(key, Buffer.from(JSON.stringify(manifest)));
      const error = await repo.getPoint('shop', ids[1]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ManifestError);
      expect((error as Error).message).toContain(`bad replica object ${key}: blockSize:`);

      await store.put(key, Buffer.from('{"version": 1,'));
      await expect(repo.getPoint('shop', ids[1])).rejects.toThrow(`bad replica object ${key}: not JSON`);
    });

    it('rejects a manifest stored under another point id', async () => {
      await store.put(pointKey('shop', ids[0]), await store.get(pointKey('shop', ids[1])));
      await expect(repo.getPoint('shop', ids[0])).rejects.toThrow(`holds point ${ids[1]} of domain "shop"`);
    });
  });

  it('rejects names that cannot become VM names or keys', async () => {
    for (const name of ['Shop', '-shop', 'a/b', '..', '', 'x'.repeat(64)]) {
      await expect(repo.getDomain(name)).rejects.toBeInstanceOf(InvalidNameError);
    }
    await expect(repo.listPoints('../etc')).rejects.toThrow('invalid domain name "../etc"');
  });
});
