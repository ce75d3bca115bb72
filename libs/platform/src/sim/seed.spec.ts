import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { simFixture, vmSpec, type SimFixture } from '@jss/testing';

const TiB = 1024 ** 4;

describe('SimPlatform inventory', () => {
  let sim: SimFixture;

  beforeEach(async () => {
    sim = await simFixture();
  });
  afterEach(() => sim.close());

  it('seeds the contract sites once, even when several replicas seed at the same time', async () => {
    await Promise.all([sim.platform.seed(), sim.replica().seed(), sim.replica().seed()]);
    const { platform } = sim;

    expect(await platform.listSites()).toEqual([{ name: 'primary' }, { name: 'recovery' }]);
    expect(await platform.listClusters()).toEqual([
      { name: 'primary-cluster', site: 'primary' },
      { name: 'recovery-cluster', site: 'recovery' },
    ]);
    expect(await platform.listDatastores()).toEqual([
      { name: 'primary-ds', site: 'primary', capacityBytes: 2 * TiB, freeBytes: 2 * TiB },
      { name: 'recovery-ds', site: 'recovery', capacityBytes: 2 * TiB, freeBytes: 2 * TiB },
    ]);
    expect(await platform.listNetworks('recovery')).toEqual([
      { name: 'recovery-net', site: 'recovery', dhcp: true, isolated: false, freeAddresses: 200, subnet: '10.20.0.0/24' },
      { name: 'recovery-static-net', site: 'recovery', dhcp: false, isolated: false, freeAddresses: 0, subnet: '10.22.0.0/24' },
      { name: 'recovery-test-net', site: 'recovery', dhcp: true, isolated: true, freeAddresses: 200, subnet: '10.21.0.0/24' },
    ]);
    expect((await platform.listNetworks()).map((n) => n.name)).toEqual([
      'primary-net',
      'primary-static-net',
      'primary-test-net',
      'recovery-net',
      'recovery-static-net',
      'recovery-test-net',
    ]);
    expect((await stat(join(sim.dataDir, 'datastores', 'recovery-ds'))).isDirectory()).toBe(true);
  });

  it('gives each network its own address range', async () => {
    await sim.platform.seed();
    const ips = await Promise.all(
      ['primary-net', 'primary-test-net', 'recovery-net', 'recovery-test-net'].map(async (network) => {
        const site = network.split('-')[0]!;
        const vm = await sim.platform.createVm(
          vmSpec(`on-${network}`, { site, cluster: `${site}-cluster`, datastore: `${site}-ds`, nics: [{ network, ip: 'dhcp' }] }),
        );
        return vm.nics[0]!.ip!.split('.').slice(0, 2).join('.');
      }),
    );
    expect(ips).toEqual(['10.10', '10.11', '10.20', '10.21']);
  });

  it('seeding again keeps what is in use', async () => {
    await sim.platform.seed();
    await sim.platform.createVm(vmSpec('web'));
    await sim.replica().seed();
    expect((await sim.platform.listVms()).map((vm) => vm.name)).toEqual(['web']);
    expect((await sim.platform.getNetwork('recovery-net'))?.freeAddresses).toBe(199);
  });

  it('takes the seeded datastore capacity from its options', async () => {
    const small = await simFixture({ datastoreCapacityBytes: 1024 ** 3 });
    try {
      await small.platform.seed();
      expect((await small.platform.getDatastore('recovery-ds'))?.freeBytes).toBe(1024 ** 3);
    } finally {
      await small.close();
    }
  });

  it('answers null for names it does not know', async () => {
    await sim.platform.seed();
    expect(await sim.platform.getCluster('nope')).toBeNull();
    expect(await sim.platform.getDatastore('nope')).toBeNull();
    expect(await sim.platform.getNetwork('nope')).toBeNull();
    expect(await sim.platform.getVm('recovery', 'nope')).toBeNull();
  });

  it('adds networks, datastores and clusters, creating their site', async () => {
    const { platform } = sim;
    await platform.seed();
    expect(await platform.addNetwork({ name: 'lab-net', site: 'lab', dhcp: true, poolSize: 3, firstIp: '192.168.5.254' })).toEqual({
      name: 'lab-net',
      site: 'lab',
      dhcp: true,
      isolated: false,
      freeAddresses: 3,
    });
    await platform.addNetwork({ name: 'lab-a', site: 'lab', dhcp: true, poolSize: 1 });
    await platform.addNetwork({ name: 'lab-b', site: 'lab', dhcp: true, poolSize: 1 });
    expect(await platform.addDatastore({ name: 'lab-ds', site: 'lab', capacityBytes: 4096 })).toEqual({
      name: 'lab-ds',
      site: 'lab',
      capacityBytes: 4096,
      freeBytes: 4096,
    });
    await platform.addCluster({ name: 'lab-cluster', site: 'lab' });
    expect(await platform.listSites()).toEqual([{ name: 'lab' }, { name: 'primary' }, { name: 'recovery' }]);

    const lab = { site: 'lab', cluster: 'lab-cluster', datastore: 'lab-ds', disks: [] };
    const ips = [];
    for (const network of ['lab-net', 'lab-net', 'lab-net', 'lab-a', 'lab-b']) {
      const vm = await platform.createVm(vmSpec(`vm-${ips.length}`, { ...lab, nics: [{ network, ip: 'dhcp' }] }));
      ips.push(vm.nics[0]!.ip);
    }
    // the pool crosses an octet boundary; networks added without an address get subnets of their own
    expect(ips.slice(0, 3).sort()).toEqual(['192.168.5.254', '192.168.5.255', '192.168.6.0']);
    expect(new Set(ips).size).toBe(5);
    expect((await platform.getNetwork('lab-a'))?.subnet).toBe('172.16.0.0/24');
  });

  it('reports the range a network was added with, its pool inside it, and refuses one that is no subnet', async () => {
    await sim.platform.seed();
    const added = await sim.platform.addNetwork({ name: 'dmz-net', site: 'recovery', dhcp: true, poolSize: 1, subnet: '10.40.0.0/16' });
    expect(added).toMatchObject({ subnet: '10.40.0.0/16', freeAddresses: 1 });
    const vm = await sim.platform.createVm(vmSpec('dmz', { nics: [{ network: 'dmz-net', ip: 'dhcp' }] }));
    expect(vm.nics[0]?.ip).toBe('10.40.0.10');
    for (const subnet of ['10.40.0.1/24', '10.40.0.0/33', '10.40.0/24']) {
      await expect(sim.platform.addNetwork({ name: 'bad-net', site: 'recovery', dhcp: false, subnet })).rejects.toMatchObject({
        code: 'invalid-spec',
      });
    }
    await expect(
      sim.platform.addNetwork({ name: 'bad-net', site: 'recovery', dhcp: true, poolSize: 10, subnet: '10.41.0.0/29' }),
    ).rejects.toMatchObject({ code: 'invalid-spec', message: 'network bad-net: its DHCP pool reaches 10.41.0.10, outside 10.41.0.0/29' });
    expect((await sim.platform.addNetwork({ name: 'big-net', site: 'recovery', dhcp: true, poolSize: 300 })).subnet).toBeUndefined();
    expect(await sim.platform.getNetwork('bad-net')).toBeNull();
  });

  it('refuses a name that exists or would break paths', async () => {
    await sim.platform.seed();
    await expect(sim.platform.addNetwork({ name: 'recovery-net', site: 'recovery', dhcp: false })).rejects.toMatchObject({
      code: 'invalid-spec',
      message: 'network recovery-net already exists',
    });
    await expect(sim.platform.addCluster({ name: 'a/b', site: 'recovery' })).rejects.toMatchObject({ code: 'invalid-spec' });
    await expect(sim.platform.addCluster({ name: 'c', site: 'x:y' })).rejects.toMatchObject({ code: 'invalid-spec' });
    await expect(sim.platform.addDatastore({ name: 'd', site: 'recovery', capacityBytes: -1 })).rejects.toMatchObject({
      code: 'invalid-spec',
    });
    expect(await sim.platform.listSites()).toEqual([{ name: 'primary' }, { name: 'recovery' }]);
  });
});
