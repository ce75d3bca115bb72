import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Protection } from '../apps/replicator/src/protection';
import { DomainOverview, ProtectionStore } from '@jss/protection';
import { GiB, Installation, MiB, diskHashes, runJssctl, sha256File, waitUntil } from '@jss/testing';

const DOMAIN = 'fin';
/** a second domain, for originals altered or deleted: small, its VMs named apart from fin's */
const OTHER = 'alt';
const EVERY = 5; // rpoSeconds 15 → a point every 5 s
/** the 2 GiB VM is written, read and hashed several times over on a loaded 2-core machine */
const SLOW_MS = 900_000;

/**
 * After a planned failover with reprotect: the recovered VMs are protected from the recovery site on
 * a schedule, and failback starts from what the original site still holds — only the blocks changed
 * at the recovery site are read and written — or, where the original disk was altered or deleted,
 * rehydrates in full and says why.
 */
describe('re-protection and delta failback', () => {
  let inst: Installation;
  let protection: Protection;
  let schedules: ProtectionStore;

  beforeAll(async () => {
    inst = await Installation.start({ planner: 1, provisioner: 1, rehydrator: 1, janitor: 1, replicator: 1 });
    protection = new Protection(inst.platform, inst.writer, inst.replica);
    schedules = new ProtectionStore(inst.redis);
    await protection.protect(DOMAIN, [
      { name: 'db', source: { sizeBytes: 2 * GiB, seed: 1 } },
      { name: 'app', source: { sizeBytes: 8 * MiB, seed: 2 } },
    ]);
    await protection.protect(OTHER, [
      { name: 'ledger', source: { sizeBytes: 64 * MiB, seed: 3 } },
      { name: 'web', source: { sizeBytes: 8 * MiB, seed: 4 } },
    ]);
  }, SLOW_MS);
  afterAll(() => inst?.stop());

  /** Writes random data over `blocks` 1 MiB blocks of a VM's disk, as its guest would; the disk's sha256 after. */
  async function write(site: string, vm: string, blocks: number[]): Promise<string> {
    const file = inst.platform.diskFile((await inst.platform.getVm(site, vm))!.disks[0].path);
    const fh = await open(file, 'r+');
    for (const b of blocks) await fh.write(randomBytes(MiB), 0, MiB, b * MiB);
    await fh.sync();
    await fh.close();
    return sha256File(file);
  }

  /** The newest point, once one taken by the schedule at the recovery site after `after` (ms) exists. */
  async function scheduledPointAfter(domain: string, after: number) {
    let newest = await inst.replica.resolvePoint(domain);
    await waitUntil(
      'a point of the recovery site taken by the schedule after the changes',
      async () => {
        newest = await inst.replica.resolvePoint(domain);
        return newest?.site === 'recovery' && Date.parse(newest.time) > after && (await schedules.get(domain))?.lastPointId === newest.id;
      },
      SLOW_MS / 2,
      200,
    );
    return newest!;
  }

  const noTemporaries = async () => expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);

  it(
    'planned failover with reprotect, 1% changed at the recovery site, a scheduled point, then failback of only those blocks',
    async () => {
      expect((await inst.run('domain-set', { domain: DOMAIN, rpoSeconds: 3 * EVERY, rtoSeconds: 1800 })).end.key).toBe('domain.updated');
      const planned = await inst.run('planned-failover', { domain: DOMAIN, reprotect: true });
      expect(planned.end.key).toBe('task.completed');
      const base = (await inst.tasks.get(planned.end.event.subject!))!.point;
      await waitUntil('reprotect.started', () => inst.events.of(planned.id, 'reprotect.started').length > 0);
      expect(inst.events.of(planned.id, 'reprotect.started')[0].event.data).toMatchObject({ site: 'recovery', everySeconds: EVERY });

      // 20 of the 2,048 blocks of db (1%), written where it now runs
      const changed = Array.from({ length: 20 }, (_, i) => (i * 101 + 7) % 2048);
      const expected = {
        db: await write('recovery', 'db', changed),
        app: (await diskHashes(inst.platform, (await inst.platform.getVm('recovery', 'app'))!))[0],
      };
      const changedAt = Date.now();
      const point = await scheduledPointAfter(DOMAIN, changedAt);
      console.log(`scheduled point ${point.id} taken ${(Date.parse(point.time) - changedAt) / 1000}s after the change (every ${EVERY}s)`);

      const dry = await inst.run('failback', { domain: DOMAIN, dryRun: true });
      expect(dry.end.key).toBe('task.planned');
      expect(dry.end.event.data.bytesToRehydrate).toBe(20 * MiB);
      expect(dry.end.event.data.forecast).toMatchObject({ bytes: 20 * MiB, vms: 2 });

      const { id, end } = await inst.run('failback', { domain: DOMAIN });
      expect([end.key, end.key === 'task.completed' ? null : end.event.data]).toEqual(['task.completed', null]);
      const report = inst.events.of(id, 'task.report')[0].event.data as { vms: Array<Record<string, unknown>> };
      const db = report.vms.find((v) => v.name === 'db')!;
      console.log(`failback of db (2 GiB): ${JSON.stringify(db)}`);
      expect(db.startedFrom).toEqual({ kind: 'original-copy', pointId: base.id, reason: null });
      expect(db).toMatchObject({ blocksRead: 20, bytesRead: 20 * MiB, bytesWritten: 20 * MiB });
      expect((db.bytesRead as number) + (db.bytesWritten as number)).toBeLessThanOrEqual(0.03 * 2 * GiB);
      expect((db.blocksSkippedUnchanged as number) + (db.blocksSkippedZero as number)).toBe(2048 - 20);
      expect(report.vms.find((v) => v.name === 'app')).toMatchObject({ startedFrom: { kind: 'original-copy' }, blocksRead: 0 });

      for (const vm of ['db', 'app'] as const) {
        const home = (await inst.platform.getVm('primary', vm))!;
        expect([home.powerState, (await diskHashes(inst.platform, home))[0]]).toEqual(['poweredOn', expected[vm]]);
        expect((await inst.platform.getVm('recovery', vm))?.powerState).toBe('poweredOff');
      }
      await noTemporaries();
      expect(inst.events.of(id, 'reprotect.ended')[0].event.data).toMatchObject({ domain: DOMAIN, site: 'primary' });
      expect(await schedules.get(DOMAIN)).toMatchObject({ site: 'primary', everySeconds: EVERY });

      const listed = await runJssctl(inst.env, ['domains', '--json']);
      const fin = (JSON.parse(listed.out) as DomainOverview[]).find((d) => d.domain === DOMAIN)!;
      expect(fin).toMatchObject({ runsAt: 'primary', rpoSeconds: 15, rtoSeconds: 1800, protection: { site: 'primary' } });
      expect(fin.forecast).toMatchObject({ basis: 'default', vms: 2 });
    },
    SLOW_MS,
  );

  it(
    'failback after the original disk was altered or deleted at the primary site: full rehydration, identical bytes, the report says why',
    async () => {
      expect((await inst.run('domain-set', { domain: OTHER, rpoSeconds: 3 * EVERY })).end.key).toBe('domain.updated');
      const planned = await inst.run('planned-failover', { domain: OTHER, reprotect: true });
      expect(planned.end.key).toBe('task.completed');
      await write('primary', 'ledger', [10]); // altered at home after the point was read from it
      await inst.platform.deleteVm('primary', 'web');

      const expected = { ledger: await write('recovery', 'ledger', [3, 4]), web: await write('recovery', 'web', [1]) };
      await scheduledPointAfter(OTHER, Date.now());
      const { id, end } = await inst.run('failback', { domain: OTHER });
      expect([end.key, end.key === 'task.completed' ? null : end.event.data]).toEqual(['task.completed', null]);
      const report = inst.events.of(id, 'task.report')[0].event.data as { vms: Array<Record<string, unknown>> };
      const ledger = report.vms.find((v) => v.name === 'ledger')!;
      expect(ledger.startedFrom).toEqual({
        kind: 'empty',
        pointId: null,
        reason: expect.stringMatching(/^disk 0 of VM ledger at site primary was written or replaced since point rp-/),
      });
      expect(ledger.blocksSkippedUnchanged).toBe(0);
      expect(report.vms.find((v) => v.name === 'web')!.startedFrom).toEqual({
        kind: 'empty',
        pointId: null,
        reason: 'VM web is gone from site primary',
      });
      for (const vm of ['ledger', 'web'] as const) {
        expect(await diskHashes(inst.platform, (await inst.platform.getVm('primary', vm))!)).toEqual([expected[vm]]);
      }
      await noTemporaries();
    },
    SLOW_MS,
  );
});
