import { simFixture, vmSpec, type SimFixture } from '@jss/testing';

describe('SimPlatform DHCP', () => {
  let sim: SimFixture;

  beforeEach(async () => {
    sim = await simFixture();
    await sim.platform.seed();
  });
  afterEach(() => sim.close());

  it('hands 50 concurrent VMs 50 distinct addresses and takes them back on delete', async () => {
    const replicas = [sim.platform, sim.replica()];
    const names = Array.from({ length: 50 }, (_, i) => `jss-rvm-${i}`);
    const vms = await Promise.all(names.map((name, i) => replicas[i % 2]!.createVm(vmSpec(name, { disks: [] }))));

    const ips = vms.map((vm) => vm.nics[0]!.ip!);
    expect(new Set(ips).size).toBe(50);
    expect(ips.every((ip) => /^10\.20\.0\.\d+$/.test(ip))).toBe(true);
    expect((await sim.platform.getNetwork('recovery-net'))?.freeAddresses).toBe(150);
    expect((await sim.platform.listVms()).map((vm) => vm.nics[0]!.ip).sort()).toEqual([...ips].sort());

    const deleted = await Promise.all(names.map((name, i) => replicas[i % 2]!.deleteVm('recovery', name)));
    expect(deleted.every(Boolean)).toBe(true);
    expect((await sim.platform.getNetwork('recovery-net'))?.freeAddresses).toBe(200);
    expect(await sim.platform.listVms()).toEqual([]);
  });

  it('refuses a DHCP NIC on a network without DHCP and changes nothing', async () => {
    await sim.platform.createVm(vmSpec('existing'));
    const before = await sim.snapshot();
    const spec = vmSpec('jss-rvm-web', {
      nics: [
        { network: 'recovery-net', ip: 'dhcp' },
        { network: 'recovery-static-net', ip: 'dhcp' },
      ],
    });

    await expect(sim.platform.createVm(spec)).rejects.toMatchObject({
      name: 'PlatformError',
      code: 'no-dhcp',
      message: expect.stringContaining('network recovery-static-net has no DHCP'),
    });
    expect(await sim.snapshot()).toEqual(before);
  });

  it('keeps a static address as given and leaves the pools alone', async () => {
    const vm = await sim.platform.createVm(vmSpec('db', { nics: [{ network: 'recovery-static-net', ip: '10.30.0.5' }] }));
    expect(vm.nics).toEqual([{ network: 'recovery-static-net', ip: '10.30.0.5' }]);
    expect((await sim.platform.getNetwork('recovery-net'))?.freeAddresses).toBe(200);
    await expect(sim.platform.createVm(vmSpec('bad', { nics: [{ network: 'recovery-net', ip: 'ten' }] }))).rejects.toMatchObject({
      code: 'invalid-spec',
    });
  });

  it('refuses the VM that finds the pool empty and leaves nothing of it', async () => {
    await sim.platform.addNetwork({ name: 'tiny-net', site: 'recovery', dhcp: true, poolSize: 1 });
    const onTiny = { nics: [{ network: 'tiny-net', ip: 'dhcp' }], disks: [{ sizeBytes: 1024 ** 2 }] };
    await sim.platform.createVm(vmSpec('first', onTiny));
    const before = await sim.snapshot();

    await expect(sim.platform.createVm(vmSpec('second', onTiny))).rejects.toMatchObject({
      code: 'dhcp-exhausted',
      message: expect.stringContaining('tiny-net'),
    });
    expect(await sim.snapshot()).toEqual(before);
  });

  it('gives the last address to exactly one of two VMs asking at once', async () => {
    await sim.platform.addNetwork({ name: 'tiny-net', site: 'recovery', dhcp: true, poolSize: 1 });
    const onTiny = { nics: [{ network: 'tiny-net', ip: 'dhcp' }] };
    const results = await Promise.allSettled([sim.platform.createVm(vmSpec('a', onTiny)), sim.replica().createVm(vmSpec('b', onTiny))]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'dhcp-exhausted' } });
    expect(await sim.platform.listVms()).toHaveLength(1);
    expect((await sim.platform.listDatastores('recovery'))[0]?.freeBytes).toBe(2 * 1024 ** 4 - 1024 ** 3);
  });

  it('takes no address at all when one VM needs two and the pool has one', async () => {
    await sim.platform.addNetwork({ name: 'tiny-net', site: 'recovery', dhcp: true, poolSize: 1 });
    const twoNics = {
      nics: [
        { network: 'recovery-net', ip: 'dhcp' },
        { network: 'tiny-net', ip: 'dhcp' },
        { network: 'tiny-net', ip: 'dhcp' },
      ],
    };
    const before = await sim.snapshot();
    await expect(sim.platform.createVm(vmSpec('greedy', twoNics))).rejects.toMatchObject({ code: 'dhcp-exhausted' });
    expect(await sim.snapshot()).toEqual(before);
  });
});
