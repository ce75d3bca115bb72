import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CreateVmSpec } from '../platform';
import { simFixture, vmSpec, type SimFixture } from '@jss/testing';

describe('SimPlatform VMs', () => {
  let sim: SimFixture;

  beforeEach(async () => {
    sim = await simFixture();
    await sim.platform.seed();
  });
  afterEach(() => sim.close());

  it('creates exactly one VM when several replicas create the same name at once', async () => {
    const replicas = [sim.platform, sim.replica(), sim.replica()];
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => replicas[i % 3]!.createVm(vmSpec('jss-rocva-shop'))));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: 'vm-exists' });
    }
    expect(await sim.platform.listVms()).toHaveLength(1);
    expect((await sim.platform.getNetwork('recovery-net'))?.freeAddresses).toBe(199);
    expect((await sim.platform.getDatastore('recovery-ds'))?.freeBytes).toBe(2 * 1024 ** 4 - 1024 ** 3);
    expect(await readdir(join(sim.dataDir, 'datastores/recovery-ds/jss-rocva-shop'))).toEqual(['disk-0.img']);
  });

  it('lets a name exist once per site', async () => {
    await sim.platform.createVm(vmSpec('web', { site: 'primary', cluster: 'primary-cluster', datastore: 'primary-ds', nics: [] }));
    await sim.platform.createVm(vmSpec('web'));
    await expect(sim.platform.createVm(vmSpec('web'))).rejects.toMatchObject({ code: 'vm-exists' });
    expect((await sim.platform.listVms()).map((vm) => `${vm.site}/${vm.name}`)).toEqual(['primary/web', 'recovery/web']);
  });

  const invalid: [string, Partial<CreateVmSpec>, string][] = [
    ['an unknown site', { site: 'mars' }, 'unknown-site'],
    ['a cluster of another site', { cluster: 'primary-cluster' }, 'unknown-cluster'],
    ['an unknown datastore', { datastore: 'nope-ds' }, 'unknown-datastore'],
    ['a datastore of another site', { datastore: 'primary-ds' }, 'unknown-datastore'],
    ['a network of another site', { nics: [{ network: 'primary-net', ip: 'dhcp' }] }, 'unknown-network'],
    ['a name with a slash', { name: 'a/b' }, 'invalid-spec'],
    ['a disk of no size', { disks: [{ sizeBytes: 0 }] }, 'invalid-spec'],
    ['a disk larger than vSphere allows', { disks: [{ sizeBytes: 63 * 1024 ** 4 }] }, 'invalid-spec'],
    ['an adopted disk nobody lists', { disks: [{ adopt: '[recovery-ds] ghost/disk-0.img' }] }, 'unknown-disk'],
    ['an adopted disk that is no path', { disks: [{ adopt: 'disk-0.img' }] }, 'unknown-disk'],
  ];
  it.each(invalid)('refuses %s and changes nothing', async (_, overrides, code) => {
    const before = await sim.snapshot();
    await expect(sim.platform.createVm(vmSpec('vm', overrides))).rejects.toMatchObject({ code });
    expect(await sim.snapshot()).toEqual(before);
  });

  it('lists VMs by site, owner task, kind and ownership, sorted by site then name', async () => {
    const rvm = (name: string, taskId: string) => vmSpec(name, { owner: { taskId, kind: 'rvm', domain: 'shop' } });
    await Promise.all([
      sim.platform.createVm(rvm('jss-rvm-web', 'task-1')),
      sim.platform.createVm(rvm('jss-rvm-db', 'task-1')),
      sim.platform.createVm(rvm('jss-rvm-mail', 'task-2')),
      sim.platform.createVm(vmSpec('jss-rocva-shop', { owner: { taskId: 'task-1', kind: 'rocva', domain: 'shop' } })),
      sim.platform.createVm(vmSpec('db', { site: 'primary', cluster: 'primary-cluster', datastore: 'primary-ds', nics: [], owner: null })),
    ]);
    const names = async (filter?: Parameters<typeof sim.platform.listVms>[0]) => (await sim.platform.listVms(filter)).map((vm) => vm.name);

    expect(await names()).toEqual(['db', 'jss-rocva-shop', 'jss-rvm-db', 'jss-rvm-mail', 'jss-rvm-web']);
    expect(await names({ site: 'primary' })).toEqual(['db']);
    expect(await names({ ownerTaskId: 'task-1' })).toEqual(['jss-rocva-shop', 'jss-rvm-db', 'jss-rvm-web']);
    expect(await names({ ownerTaskId: 'task-1', kind: 'rvm' })).toEqual(['jss-rvm-db', 'jss-rvm-web']);
    expect(await names({ ownerTaskId: 'task-1', site: 'primary' })).toEqual([]);
    expect(await names({ owned: false })).toEqual(['db']);
    expect(await names({ owned: true, kind: 'rocva' })).toEqual(['jss-rocva-shop']);

    await sim.platform.deleteVm('recovery', 'jss-rvm-web');
    expect(await names({ ownerTaskId: 'task-1', kind: 'rvm' })).toEqual(['jss-rvm-db']);
  });

  it('powers VMs on and off', async () => {
    expect((await sim.platform.createVm(vmSpec('on', { powerOn: true }))).powerState).toBe('poweredOn');
    await sim.platform.createVm(vmSpec('off'));
    expect((await sim.platform.getVm('recovery', 'off'))?.powerState).toBe('poweredOff');

    await sim.platform.powerOn('recovery', 'off');
    expect((await sim.platform.getVm('recovery', 'off'))?.powerState).toBe('poweredOn');
    await sim.platform.powerOff('recovery', 'on');
    expect((await sim.platform.getVm('recovery', 'on'))?.powerState).toBe('poweredOff');
    await expect(sim.platform.powerOn('recovery', 'ghost')).rejects.toMatchObject({ code: 'unknown-vm' });
  });

  it('deletes a VM exactly once when several replicas delete it at once, and frees its name', async () => {
    await sim.platform.createVm(vmSpec('jss-tvm-web'));
    const replicas = [sim.platform, sim.replica()];
    const deleted = await Promise.all(Array.from({ length: 6 }, (_, i) => replicas[i % 2]!.deleteVm('recovery', 'jss-tvm-web')));

    expect(deleted.filter(Boolean)).toHaveLength(1);
    expect(await sim.platform.listVms({ ownerTaskId: 'task-1' })).toEqual([]);
    expect((await sim.platform.getNetwork('recovery-net'))?.freeAddresses).toBe(200);
    expect(await sim.platform.deleteVm('recovery', 'jss-tvm-web')).toBe(false);
    await sim.platform.createVm(vmSpec('jss-tvm-web'));
    expect(await sim.platform.listVms()).toHaveLength(1);
  });
});
