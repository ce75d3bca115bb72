import { LIMITS } from '@jss/contract';
import { Installation, inventorySnapshot } from '@jss/testing';

/**
 * A domain at the contract's limit of VMs per task (issue 33: 10,000): failed over whole, every VM
 * powered on; one VM more is refused at acceptance naming the limit, never accepted to hang later.
 * Small disks (one partial block each) keep the run short; the bench times it with 1 MiB each.
 */
describe('a domain of LIMITS.vmsPerTask VMs (sim, file)', () => {
  const n = LIMITS.vmsPerTask;
  const names = Array.from({ length: n + 1 }, (_, i) => `vm-${String(i).padStart(5, '0')}`);
  const allowed = names.slice(0, n);
  let inst: Installation;

  beforeAll(async () => {
    inst = await Installation.start();
    // the RVMs and the recovered VMs hold an address each at once
    await inst.sim.addNetwork({ name: 'large-net', site: 'recovery', dhcp: true, poolSize: 2 * n + 10 });
    await inst.writer.writePoint(
      'large',
      names.map((name, i) => ({ name, source: { sizeBytes: 4096, seed: i } })),
    );
  }, 900_000);
  afterAll(() => inst?.stop());

  it('one VM past the limit: command.rejected limit-exceeded naming the limit and the count, nothing created', async () => {
    const before = await inventorySnapshot(inst.platform);
    const { end } = await inst.run('failover', { domain: 'large', target: { network: 'large-net' } });
    expect(end.key).toBe('command.rejected');
    expect(end.event.data.reason).toBe('limit-exceeded');
    expect(end.event.data.message).toContain(`${n + 1} exceeds the limit vmsPerTask = ${n}`);
    const named = await inst.run('failover', { domain: 'large', vms: names, target: { network: 'large-net' } });
    expect(named.end.event.data.reason).toBe('limit-exceeded');
    expect(named.end.event.data.message).toMatch(/data\.vms: at most 10000 VMs \(limit vmsPerTask\)/);
    expect(await inst.tasks.list()).toEqual([]);
    expect(await inventorySnapshot(inst.platform)).toEqual(before);
  }, 120_000);

  it('a failover of the limit completes: every VM recovered and powered on, progress bounded, no temporary left', async () => {
    const id = await inst.publish('failover', { domain: 'large', vms: allowed, target: { network: 'large-net' } });
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed', 'command.rejected'], 1_500_000);
    expect(end.key).toBe('task.completed');
    const vms = await inst.platform.listVms({ site: 'recovery' });
    const recovered = vms.filter((v) => v.owner?.kind === 'recovered');
    expect(recovered.map((v) => v.name).sort()).toEqual(allowed);
    expect(recovered.filter((v) => v.powerState !== 'poweredOn')).toEqual([]);
    expect(vms.filter((v) => v.name.startsWith('jss-'))).toEqual([]);
    const progress = inst.events.of(id, 'task.progress').map((r) => r.event.data as { vms: object; vmsTotal: number });
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) {
      expect(Object.keys(p.vms).length).toBeLessThanOrEqual(LIMITS.vmsPerEvent);
      expect(p.vmsTotal).toBe(n);
    }
  }, 1_600_000);
});
