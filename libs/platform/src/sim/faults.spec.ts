import { simFixture, vmSpec, type SimFixture } from '@jss/testing';

describe('SimPlatform injected faults', () => {
  let sim: SimFixture;

  beforeEach(async () => {
    sim = await simFixture();
    await sim.platform.seed();
  });
  afterEach(() => sim.close());

  it('fails the next createVm of any replica once, changing nothing, then lets it succeed', async () => {
    const service = sim.replica();
    await sim.platform.injectFault('createVm', { message: 'vCenter is busy' });
    const before = await sim.snapshot();

    await expect(service.createVm(vmSpec('jss-rvm-web'))).rejects.toMatchObject({
      code: 'injected-fault',
      message: 'vCenter is busy',
    });
    expect(await sim.snapshot()).toEqual(before);
    await expect(service.createVm(vmSpec('jss-rvm-web'))).resolves.toMatchObject({ name: 'jss-rvm-web' });
  });

  it('fails only matching calls, as many times as asked, and never more', async () => {
    await sim.platform.injectFault('createVm', { match: 'rocva', times: 2 });
    const names = ['jss-rvm-a', 'jss-rocva-shop', 'jss-rvm-b', 'jss-rocva-shop', 'jss-rocva-shop'];
    const outcomes = [];
    for (const name of names) {
      outcomes.push(
        await sim.platform.createVm(vmSpec(name)).then(
          () => 'ok',
          (err: { code: string }) => err.code,
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'injected-fault', 'ok', 'injected-fault', 'ok']);
  });

  it('fails exactly `times` calls when replicas race for the fault', async () => {
    await sim.platform.injectFault('createVm', { times: 3 });
    const replicas = [sim.platform, sim.replica(), sim.replica()];
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => replicas[i % 3]!.createVm(vmSpec(`vm-${i}`, { disks: [] }))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(3);
    expect(await sim.platform.listVms()).toHaveLength(7);
  });

  it('fails deleteVm, powerOn and openDisk without effect', async () => {
    const vm = await sim.platform.createVm(vmSpec('jss-rvm-web'));
    await sim.platform.injectFault('deleteVm');
    await sim.platform.injectFault('powerOn');
    await sim.platform.injectFault('openDisk', { match: 'jss-rvm-web/' });

    await expect(sim.platform.deleteVm('recovery', 'jss-rvm-web')).rejects.toMatchObject({ code: 'injected-fault' });
    await expect(sim.platform.powerOn('recovery', 'jss-rvm-web')).rejects.toMatchObject({ code: 'injected-fault' });
    await expect(sim.platform.openDisk(vm.disks[0]!.path)).rejects.toMatchObject({ code: 'injected-fault' });
    expect(await sim.platform.getVm('recovery', 'jss-rvm-web')).toEqual(vm);

    await sim.platform.powerOn('recovery', 'jss-rvm-web');
    await (await sim.platform.openDisk(vm.disks[0]!.path)).close();
    expect(await sim.platform.deleteVm('recovery', 'jss-rvm-web')).toBe(true);
  });

  it('forgets pending faults on clearFaults', async () => {
    await sim.platform.injectFault('createVm', { times: 5 });
    await sim.platform.injectFault('deleteVm');
    await sim.replica().clearFaults();
    await sim.platform.createVm(vmSpec('web'));
    expect(await sim.platform.deleteVm('recovery', 'web')).toBe(true);
  });
});
