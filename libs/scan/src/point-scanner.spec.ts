import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REASONS } from '@jss/contract';
import { ReplicaRepository, ReplicaWriter, blocksPrefix, pointKey } from '@jss/replica';
import { FsObjectStore } from '@jss/store';
import { resolveLastClean } from './last-clean';
import { PointScanner, ScanResult } from './point-scanner';
import { ScanStore } from './scan-store';
import { summaryKey, verdictKey } from './verdict';

const MiB = 1 << 20;

// The scanner over a real (local-folder) store; test/scanner.e2e-spec.ts runs it as a service over fauxqs too.
describe('PointScanner', () => {
  let dir: string;
  let store: FsObjectStore;
  let writer: ReplicaWriter;
  let repo: ReplicaRepository;
  let scans: ScanStore;
  let scanner: PointScanner;
  const reads: string[] = [];
  const scanned = (r: ScanResult) => {
    if ('skipped' in r) throw new Error(`skipped: ${r.skipped}`);
    return r.scanned;
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jss-scan-'));
    store = new FsObjectStore(dir);
    const [get, getInto] = [store.get.bind(store), store.getInto.bind(store)];
    store.get = (key) => (reads.push(key), get(key));
    store.getInto = (key, target) => (reads.push(key), getInto(key, target));
    writer = new ReplicaWriter(store);
    repo = new ReplicaRepository(store);
    scans = new ScanStore(store);
    scanner = new PointScanner(repo, store, scans, { concurrency: 4 });
    reads.length = 0;
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  /** A domain of one 64 MiB VM of structured data, then five normal points (1 or 2 blocks changed). */
  async function history() {
    const first = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: 64 * MiB, seed: 1, content: 'structured' } }]);
    for (let seed = 1; seed <= 5; seed++) await writer.snapshot('shop', { changePercent: 2 + (seed % 2), seed, content: 'structured' });
    return first;
  }

  it('scans the ancestors first, reads only changed blocks, and keeps the verdict beside the manifest', async () => {
    const first = await history();
    const newest = (await repo.resolvePoint('shop'))!;
    const manifest = await store.get(pointKey('shop', newest.id));
    const result = scanned(await scanner.scan('shop', newest.id));
    expect(result.map((s) => s.record.pointId)).toEqual((await repo.pointIds('shop')).map((p) => p.id));
    expect(result.map((s) => [s.record.verdict, s.record.vms[0].reason, s.written])).toEqual([
      ['clean', 'baseline', true],
      ...Array(5).fill(['clean', 'normal', true]),
    ]);
    // the first point is read whole (its non-zero blocks), each later one only where it changed
    const nonZero = new Set(first.vms[0].disks[0].blocks.filter(Boolean)).size;
    expect(result[0].blocksRead).toBe(nonZero);
    for (const s of result.slice(1)) expect(s.blocksRead).toBe(s.record.vms[0].figures.changedBlocks);
    expect(reads.filter((k) => k.startsWith(blocksPrefix('shop'))).length).toBe(result.reduce((n, s) => n + s.blocksRead, 0));
    expect(await store.exists(verdictKey('shop', newest.id))).toBe(true);
    expect(await store.exists(summaryKey('shop', newest.id))).toBe(true);
    expect((await store.get(pointKey('shop', newest.id))).equals(manifest)).toBe(true);
  });

  it('flags 30% random blocks, not a 30% structured rewrite, and keeps the attacked VM suspicious after', async () => {
    await history();
    const rewrite = await writer.snapshot('shop', { changePercent: 30, seed: 6, content: 'structured' });
    const attack = await writer.snapshot('shop', { changePercent: 30, seed: 7, content: 'random' });
    const later = await writer.snapshot('shop', { changePercent: 2, seed: 8, content: 'structured' });
    scanned(await scanner.scan('shop', later.id));
    const web = async (id: string) => (await scans.verdict('shop', id))!.vms[0];
    expect(await web(rewrite.id)).toMatchObject({ verdict: 'clean', reason: 'large-change', figures: { turnedRandom: 0 } });
    const attacked = await web(attack.id);
    expect(attacked).toMatchObject({ verdict: 'suspicious', reason: 'encryption-like', suspectSince: attack.id });
    expect(attacked.figures.turnedPercent).toBeGreaterThan(60);
    expect(await web(later.id)).toMatchObject({ verdict: 'suspicious', reason: 'inherited', suspectSince: attack.id });

    const lastClean = await resolveLastClean(repo, scans, 'shop', undefined, { waitMs: 0 });
    expect(lastClean.id).toBe(rewrite.id);
  });

  it('changes nothing when a point is scanned again', async () => {
    await history();
    const newest = (await repo.resolvePoint('shop'))!;
    scanned(await scanner.scan('shop', newest.id));
    const stored = [await store.get(verdictKey('shop', newest.id)), await store.get(summaryKey('shop', newest.id))];
    const again = scanned(await new PointScanner(repo, store, new ScanStore(store), { concurrency: 4 }).scan('shop', newest.id));
    expect(again).toEqual([expect.objectContaining({ written: false, blocksRead: 0 })]);
    expect((await store.get(verdictKey('shop', newest.id))).equals(stored[0])).toBe(true);
    expect((await store.get(summaryKey('shop', newest.id))).equals(stored[1])).toBe(true);
  });

  it('leaves a domain whose scanning is disabled unscanned, and last-clean refuses it', async () => {
    await history();
    await scans.putSettings('shop', { enabled: false });
    const newest = (await repo.resolvePoint('shop'))!;
    expect(await scanner.scan('shop', newest.id)).toEqual({ skipped: 'disabled' });
    await expect(resolveLastClean(repo, scans, 'shop', undefined, { waitMs: 0 })).rejects.toMatchObject({
      reason: REASONS.pointUnscanned,
      message: expect.stringMatching(/disabled/),
    });
  });

  it('last-clean asks for the newer unscanned points, waits for them, then refuses; no clean point at all is its own reason', async () => {
    const first = await writer.writePoint('shop', [{ name: 'web', source: { sizeBytes: 16 * MiB, seed: 1, content: 'structured' } }]);
    scanned(await scanner.scan('shop', first.id));
    const newer = await writer.snapshot('shop', { changePercent: 5, seed: 1, content: 'structured' });
    const asked: string[] = [];
    await expect(
      resolveLastClean(repo, scans, 'shop', undefined, {
        waitMs: 300,
        pollMs: 50,
        requestScan: async (_d, ids) => void asked.push(...ids),
      }),
    ).rejects.toMatchObject({ reason: REASONS.pointUnscanned, message: expect.stringContaining(newer.id) });
    expect(asked).toEqual([newer.id]);
    // scanned while it waits: the newer point is the answer
    const waiting = resolveLastClean(repo, scans, 'shop', undefined, { waitMs: 30_000, pollMs: 50 });
    scanned(await scanner.scan('shop', newer.id));
    expect((await waiting).id).toBe(newer.id);

    // every point left suspicious (the clean ones deleted, as a retention would)
    const bare = await writer.writePoint('bare', [{ name: 'db', source: { sizeBytes: 16 * MiB, seed: 1, content: 'structured' } }]);
    const attacked = await writer.snapshot('bare', { changePercent: 100, seed: 2, content: 'random' });
    expect(scanned(await scanner.scan('bare', attacked.id)).map((s) => s.record.verdict)).toEqual(['clean', 'suspicious']);
    await store.delete(pointKey('bare', bare.id));
    await expect(resolveLastClean(repo, scans, 'bare', undefined, { waitMs: 0 })).rejects.toMatchObject({ reason: REASONS.noCleanPoint });
  });
});
