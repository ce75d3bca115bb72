import { Installation, MiB } from '@jss/testing';

/** bootOrder groups with delays: each group powered on the given seconds after the one before is up. */
describe('boot order with delays', () => {
  let inst: Installation;
  beforeAll(async () => {
    inst = await Installation.start();
    await inst.writer.writePoint('tiers', [
      { name: 'db', source: { sizeBytes: MiB, seed: 1 } },
      { name: 'app', source: { sizeBytes: MiB, seed: 2 } },
      { name: 'web', source: { sizeBytes: MiB, seed: 3 } },
    ]);
  });
  afterAll(() => inst?.stop());

  it('powers db, then app at least 2 s later, then web (in no group) last', async () => {
    const { end } = await inst.run('failover', { domain: 'tiers', bootOrder: [['db'], { vms: ['app'], delaySeconds: 2 }] });
    expect(end.key).toBe('task.completed');
    const task = await inst.tasks.get(end.event.subject!);
    const at = Object.fromEntries(task!.recovered!.map((r) => [r.vm, Date.parse(r.poweredOnAt)]));
    expect(at.app - at.db).toBeGreaterThanOrEqual(2000);
    expect(at.web).toBeGreaterThanOrEqual(at.app);
    expect(task!.spec.bootOrder).toEqual([
      { vms: ['db'], delaySeconds: 0 },
      { vms: ['app'], delaySeconds: 2 },
    ]);
  });

  it('refuses a delay over the bound', async () => {
    const { end } = await inst.run('failover', { domain: 'tiers', bootOrder: [{ vms: ['db'], delaySeconds: 100000 }], dryRun: true });
    expect(end.key).toBe('command.rejected');
    expect(end.event.data.reason).toBe('invalid-command');
    expect(end.event.data.message).toMatch(/bootOrder\[0\]/);
  });
});
