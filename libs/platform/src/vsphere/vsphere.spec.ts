import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VCSIM_SETUP_MS, Vcsim } from '@jss/testing';
import { PlatformError } from '../platform';
import { toPlatformError } from './faults';
import { loadSiteFile } from './site-file';
import { SoapClient, VcenterUnreachable, VimFault } from './soap-client';
import { TaskLost, Vim } from './vim';
import { VspherePlatform } from './vsphere-platform';
import { MoRef, child, moRef, parseXml, text } from './xml';

// The SOAP/XML layer and the adapter against vcsim itself (scripts/vcsim.sh builds and starts it).
describe('vSphere adapter against vcsim', () => {
  let vcsim: Vcsim;
  let dir: string;
  let site: string;
  const root = path.resolve(__dirname, '../../../..');

  beforeAll(async () => {
    vcsim = await Vcsim.start(root);
    dir = mkdtempSync(path.join(os.tmpdir(), 'jss-vsphere-'));
    site = vcsim.writeSiteFile(path.join(dir, 'site.yaml'));
  }, VCSIM_SETUP_MS);
  afterAll(async () => {
    await vcsim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (extra: Partial<ConstructorParameters<typeof SoapClient>[0]> = {}) => {
    const env = vcsim.env(site);
    return new SoapClient({ url: vcsim.url, user: env.JSS_VSPHERE_USER!, password: env.JSS_VSPHERE_PASSWORD!, ...extra });
  };
  const platform = () => {
    const env = vcsim.env(site);
    return new VspherePlatform({
      url: vcsim.url,
      user: env.JSS_VSPHERE_USER!,
      password: env.JSS_VSPHERE_PASSWORD!,
      site: loadSiteFile(site),
    });
  };

  it('reports the range the site file gives a network (none where it gives none); a range that is no subnet is refused naming the field', async () => {
    const networks = await platform().listNetworks('recovery');
    expect(networks.map((n) => [n.name, n.subnet])).toEqual([
      ['recovery-net', undefined],
      ['recovery-test-net', undefined],
      ['recovery-static-net', '10.22.0.0/24'],
    ]);
    const bad = path.join(dir, 'bad-subnet.yaml');
    writeFileSync(bad, readFileSync(site, 'utf8').replace('10.22.0.0/24', '10.22.0.1/24'));
    expect(() => loadSiteFile(bad)).toThrow(
      `invalid vSphere site file ${bad}: sites.recovery.networks.2.subnet: "10.22.0.1/24" has host bits set (the subnet starts at its network address)`,
    );
  });

  it('reads xsi:type by namespace, whatever the prefix (vcsim writes XMLSchema-instance:type)', async () => {
    const doc = parseXml(
      '<r xmlns:odd="http://www.w3.org/2001/XMLSchema-instance" xmlns:x="http://www.w3.org/2001/XMLSchema">' +
        '<val odd:type="ManagedObjectReference" type="Folder">group-d1</val><other xsi:type="nope" xmlns:xsi="urn:not-xsi"/></r>',
    );
    expect(child(doc, 'val')).toMatchObject({ xsiType: 'ManagedObjectReference', attrs: { type: 'Folder' }, text: 'group-d1' });
    expect(child(doc, 'other')?.xsiType).toBeNull();
    expect(() => parseXml('<a><b></a>')).toThrow(/not well-formed/);

    const vim = new Vim(client());
    const { rootFolder } = await vim.soap.content();
    const vms = await vim.listUnder(rootFolder, 'VirtualMachine', ['name', 'runtime.powerState', 'resourcePool']);
    expect(vms.map((v) => v.props.get('name')?.text).sort()).toEqual(['DC0_C0_RP0_VM0', 'DC0_C0_RP0_VM1', 'DC0_H0_VM0', 'DC0_H0_VM1']);
    expect(vms[0].props.get('name')?.xsiType).toBe('string');
    expect(moRef(vms[0].props.get('resourcePool'))?.type).toBe('ResourcePool');
    await vim.soap.close();
  });

  it('maps a wrong password to InvalidLogin', async () => {
    const bad = client({ password: 'wrong' });
    await expect(bad.call('CurrentTime', new MoRef('ServiceInstance', 'ServiceInstance'))).rejects.toMatchObject({ fault: 'InvalidLogin' });
    await bad.close();
  });

  it('logs in again when its session was terminated (expired session)', async () => {
    const mine = new Vim(client());
    const { sessionManager } = await mine.soap.content();
    const key = async (vim: Vim) => text((await vim.get(sessionManager, ['currentSession']))?.props.get('currentSession'), 'key');
    const before = await key(mine);
    const admin = client();
    await admin.call('TerminateSession', sessionManager, { sessionId: [before!] });
    const { rootFolder } = await mine.soap.content();
    expect(await mine.listUnder(rootFolder, 'Datacenter', ['name'])).toHaveLength(1);
    const after = await key(mine);
    expect(after).toEqual(expect.any(String));
    expect(after).not.toBe(before);
    await Promise.all([mine.soap.close(), admin.close()]);
  });

  it('turns vCenter faults into platform errors: DuplicateName → vm-exists, a failed task → platform-error with its fault', async () => {
    const soap = client();
    const vim = new Vim(soap);
    const { rootFolder, virtualDiskManager } = await soap.content();
    const [dc] = await vim.listUnder(rootFolder, 'Datacenter', ['vmFolder']);
    const vmFolder = moRef(dc.props.get('vmFolder'))!;
    await soap.call('CreateFolder', vmFolder, { name: 'twice' });
    const duplicate = await soap.call('CreateFolder', vmFolder, { name: 'twice' }).catch((err) => err);
    expect(duplicate).toBeInstanceOf(VimFault);
    expect(toPlatformError(duplicate, 'creating twice')).toMatchObject({ code: 'vm-exists' });

    const move = {
      sourceName: '[LocalDS_0] nowhere/none.vmdk',
      sourceDatacenter: dc.obj,
      destName: '[LocalDS_0] x/x.vmdk',
      destDatacenter: dc.obj,
    };
    const failed = await vim.runTask('MoveVirtualDisk_Task', virtualDiskManager, move, 10_000).catch((err) => err);
    expect(failed).toBeInstanceOf(VimFault);
    const mapped = toPlatformError(failed, 'moving a disk') as PlatformError;
    expect(mapped.code).toBe('platform-error');
    // vcsim's localizedMessage is only its Go type: the sentence names the fault and the file it is about
    expect(mapped.message).toMatch(
      /^moving a disk: vCenter answered FileNotFound: MoveVirtualDisk_Task ended in error \(file .*nowhere\/none(-flat)?\.vmdk\)$/,
    );
    await soap.close();
  });

  it('retries while vCenter does not answer, then fails with a sentence; answers again once it is back', async () => {
    // generous: on a loaded machine vcsim may take seconds to answer before the silence and after it
    const soap = client({ requestTimeoutMs: 3000, unreachableMs: 8000 });
    const self = new MoRef('ServiceInstance', 'ServiceInstance');
    try {
      await soap.call('CurrentTime', self);
      vcsim.freeze(); // its relay stops delivering: no answer
      try {
        const err = await soap.call('CurrentTime', self).catch((e) => e);
        expect(err).toBeInstanceOf(VcenterUnreachable);
        expect((toPlatformError(err, 'reading the time') as PlatformError).message).toMatch(
          /^reading the time: vCenter at .* did not answer CurrentTime/,
        );
      } finally {
        vcsim.thaw();
      }
      expect(child(await soap.call('CurrentTime', self), 'returnval')?.text).toEqual(expect.any(String));
    } finally {
      await soap.close();
    }
  });

  it('a task vCenter lost (vcsim killed and started again: a fresh inventory) ends the wait at once, as platform-error', async () => {
    const soap = client();
    const vim = new Vim(soap);
    const { rootFolder, virtualDiskManager } = await soap.content();
    const [dc] = await vim.listUnder(rootFolder, 'Datacenter', ['name']);
    const move = { sourceName: '[LocalDS_0] a/a.vmdk', sourceDatacenter: dc.obj, destName: '[LocalDS_0] b/b.vmdk', destDatacenter: dc.obj };
    const task = moRef(child(await soap.call('MoveVirtualDisk_Task', virtualDiskManager, move), 'returnval'))!;
    await vcsim.restart();
    const started = Date.now();
    const lost = await vim.waitTask(task, 'MoveVirtualDisk_Task', 60_000).catch((err) => err);
    expect(lost).toBeInstanceOf(TaskLost);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(toPlatformError(lost, 'moving a disk')).toMatchObject({
      code: 'platform-error',
      message: `moving a disk: vCenter no longer knows MoveVirtualDisk_Task (${task.value}); it may have restarted: how the task ended is unknown`,
    });
    await soap.close();
  });

  it("verifies vCenter's certificate unless told not to (JSS_VSPHERE_INSECURE)", async () => {
    const tls = await Vcsim.start(root, { tls: true });
    try {
      expect(tls.url).toMatch(/^https:/);
      const self = new MoRef('ServiceInstance', 'ServiceInstance');
      const env = tls.env(site);
      const login = { url: tls.url, user: env.JSS_VSPHERE_USER!, password: env.JSS_VSPHERE_PASSWORD! };
      const strict = new SoapClient(login);
      await expect(strict.call('CurrentTime', self)).rejects.toThrow(/does not verify .*JSS_VSPHERE_INSECURE=true/);
      const insecure = new SoapClient({ ...login, insecure: true });
      expect(child(await insecure.call('CurrentTime', self), 'returnval')?.text).toEqual(expect.any(String));
      await Promise.all([strict.close(), insecure.close()]);
    } finally {
      await tls.stop();
    }
  });

  it('clones the RocVA from its template when the site file names one', async () => {
    const file = loadSiteFile(site);
    const env = vcsim.env(site);
    const p = new VspherePlatform({
      url: vcsim.url,
      user: env.JSS_VSPHERE_USER!,
      password: env.JSS_VSPHERE_PASSWORD!,
      site: { ...file, rocva: { ...file.rocva, template: 'DC0_H0_VM0' } },
    });
    const owner = { taskId: 'task-2', kind: 'rocva' as const, domain: 'shop' };
    const placement = { site: 'recovery', cluster: 'recovery-cluster', datastore: 'recovery-ds' };
    const rocva = await p.createVm({
      ...placement,
      name: 'jss-rocva-shop',
      nics: [{ network: 'recovery-net', ip: 'dhcp' }],
      disks: [],
      owner,
      powerOn: true,
    });
    expect(rocva).toMatchObject({ owner, powerState: 'poweredOn' });
    expect(rocva.disks).toHaveLength(1); // the template's
    expect(rocva.nics.find((n) => n.network === 'recovery-net')?.ip).toMatch(/^10\.1\./);
    expect(await p.deleteVm('recovery', rocva.name)).toBe(true);
    expect((await p.getVm('recovery', 'DC0_H0_VM0'))?.owner).toBeNull();
  });

  it('powerOn returns the VM with the address its guest reports once running; no address in time is a platform-error naming the network', async () => {
    const p = platform();
    const owner = { taskId: 'task-3', kind: 'recovered' as const, domain: 'shop' };
    const placement = { site: 'recovery', cluster: 'recovery-cluster', datastore: 'recovery-ds', disks: [], owner };
    const off = await p.createVm({ ...placement, name: 'leased', nics: [{ network: 'recovery-net', ip: 'dhcp' }], powerOn: false });
    expect(off.nics).toEqual([{ network: 'recovery-net', ip: null }]); // no guest runs, no lease yet
    const on = await p.powerOn('recovery', 'leased');
    expect(on).toMatchObject({
      powerState: 'poweredOn',
      nics: [{ network: 'recovery-net', ip: expect.stringMatching(/^10\.1\.\d+\.\d+$/) }],
    });
    expect(await p.powerOn('recovery', 'leased')).toEqual(on); // running already: the same VM, the same lease
    expect(await p.deleteVm('recovery', 'leased')).toBe(true);

    // a port group said to have DHCP where no DHCP server answers (vcsim's -dhcp does not serve "VM Network")
    const file = loadSiteFile(site);
    const nets = file.sites.recovery.networks.map((n) => (n.name === 'recovery-static-net' ? { ...n, dhcp: true, poolSize: 10 } : n));
    const env = vcsim.env(site);
    const silent = new VspherePlatform({
      url: vcsim.url,
      user: env.JSS_VSPHERE_USER!,
      password: env.JSS_VSPHERE_PASSWORD!,
      site: { ...file, sites: { recovery: { ...file.sites.recovery, networks: nets } } },
      guestIpTimeoutMs: 300,
    });
    await silent.createVm({ ...placement, name: 'no-lease', nics: [{ network: 'recovery-static-net', ip: 'dhcp' }], powerOn: false });
    await expect(silent.powerOn('recovery', 'no-lease')).rejects.toMatchObject({
      code: 'platform-error',
      message:
        'VM no-lease is powered on but its guest reported no address on network recovery-static-net within 0.3 s ' +
        '(is a DHCP server on that port group, and are VMware Tools running in the guest?)',
    });
    expect(await silent.deleteVm('recovery', 'no-lease')).toBe(true);
  });

  it('marks the VMs it creates with their owner and reads it back; vcsim’s own VMs have none', async () => {
    const p = platform();
    await p.seed();
    const owner = { taskId: 'task-1', kind: 'rvm' as const, domain: 'shop' };
    const vm = await p.createVm({
      name: 'jss-rvm-web',
      site: 'recovery',
      cluster: 'recovery-cluster',
      datastore: 'recovery-ds',
      nics: [{ network: 'recovery-net', ip: 'dhcp' }],
      disks: [{ sizeBytes: 2 << 20 }],
      owner,
      powerOn: true,
    });
    expect(vm).toMatchObject({
      owner,
      powerState: 'poweredOn',
      disks: [{ path: '[LocalDS_0] jss-rvm-web/jss-rvm-web.vmdk', sizeBytes: 2 << 20 }],
    });
    expect(vm.nics[0]).toEqual({ network: 'recovery-net', ip: expect.stringMatching(/^10\.1\.\d+\.\d+$/) });
    const all = await p.listVms();
    expect(all.filter((v) => v.owner === null).map((v) => v.name)).toContain('DC0_H0_VM0');
    expect(await p.listVms({ owned: true })).toEqual([vm]);
    await expect(p.createVm({ ...vm, nics: [], disks: [], owner })).rejects.toMatchObject({ code: 'vm-exists' });
    await expect(
      p.createVm({ ...vm, name: 'x', nics: [{ network: 'recovery-static-net', ip: 'dhcp' }], disks: [], owner }),
    ).rejects.toMatchObject({
      code: 'no-dhcp',
    });
    expect(await p.deleteVm('recovery', vm.name)).toBe(true);
    expect(await p.deleteVm('recovery', vm.name)).toBe(false);
    expect(await p.getVm('recovery', vm.name)).toBeNull();
  });
});
