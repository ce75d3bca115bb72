import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Protection } from '../apps/replicator/src/protection';
import { Installation, MiB, diskHashes, sha256File } from '@jss/testing';

/** Planned failover with no data loss (and its timeout), then failback to the original site. */
describe('planned failover and failback', () => {
  let inst: Installation;
  let protection: Protection;

  beforeAll(async () => {
    inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1, replicator: 1 },
      { PLANNED_FAILOVER_TIMEOUT_SECONDS: '3' },
    );
    protection = new Protection(inst.platform, inst.writer, inst.replica);
    await protection.protect('fin', [
      { name: 'gl', source: { sizeBytes: 6 * MiB + 512, seed: 1 } },
      { name: 'ap', source: { sizeBytes: 4 * MiB, seed: 2 } },
    ]);
  });
  afterAll(() => inst?.stop());

  /** Writes that the replica has not seen yet: what a planned failover must not lose. */
  async function scribble(site: string, vm: string): Promise<string> {
    const file = inst.platform.diskFile((await inst.platform.getVm(site, vm))!.disks[0].path);
    const fh = await open(file, 'r+');
    await fh.write(randomBytes(64 * 1024), 0, undefined, 2 * MiB + 4096);
    await fh.close();
    return sha256File(file);
  }

  it('planned failover: source VMs off, a final point after the power-off, recovered disks equal the sources at power-off', async () => {
    const expected = {
      gl: await scribble('primary', 'gl'),
      ap: await sha256File(inst.platform.diskFile((await inst.platform.getVm('primary', 'ap'))!.disks[0].path)),
    };
    const { end } = await inst.run('planned-failover', { domain: 'fin' });
    expect(end.key).toBe('task.completed');
    const task = (await inst.tasks.get(end.event.subject!))!;
    expect(task.point.time > task.poweredOffAt!).toBe(true);
    for (const vm of ['gl', 'ap'] as const) {
      expect((await inst.platform.getVm('primary', vm))?.powerState).toBe('poweredOff');
      const recovered = await inst.platform.getVm('recovery', vm);
      expect(recovered?.powerState).toBe('poweredOn');
      expect(await diskHashes(inst.platform, recovered!)).toEqual([expected[vm]]);
    }
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
  });

  it('failback: the recovered VMs, protected back from the recovery site, return home; the copies are powered off', async () => {
    const refused = await inst.run('failback', { domain: 'fin' });
    expect(refused.end.event.data.reason).toBe('no-failback-point');

    const expected = await scribble('recovery', 'gl');
    const point = await protection.replicate('fin', 'recovery');
    expect(point.site).toBe('recovery');
    const { end } = await inst.run('failback', { domain: 'fin' });
    expect(end.key).toBe('task.completed');
    const home = await inst.platform.getVm('primary', 'gl');
    expect(home?.powerState).toBe('poweredOn');
    expect(await diskHashes(inst.platform, home!)).toEqual([expected]);
    expect((await inst.platform.getVm('recovery', 'gl'))?.powerState).toBe('poweredOff');
    expect((await inst.platform.listVms()).filter((v) => v.name.startsWith('jss-'))).toEqual([]);
    // protected from the original site again
    expect((await protection.replicate('fin', 'primary')).site).toBe('primary');
  });

  it('planned failover without a final point in time fails cleanly: sources back on, nothing left', async () => {
    for (const vm of ['gl', 'ap']) await inst.platform.deleteVm('recovery', vm);
    inst.services.filter((s) => s.name.startsWith('replicator')).forEach((s) => s.child.kill('SIGKILL'));
    const { end } = await inst.run('planned-failover', { domain: 'fin' });
    expect(end.key).toBe('task.failed');
    expect(end.event.data.reason).toBe('point-timeout');
    for (const vm of ['gl', 'ap']) expect((await inst.platform.getVm('primary', vm))?.powerState).toBe('poweredOn');
    expect(await inst.platform.listVms({ site: 'recovery' })).toEqual([]);
  });
});
