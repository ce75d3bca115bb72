import { statSync } from 'node:fs';
import path from 'node:path';
import { writeGeneratedImage } from '@jss/replica';
import { QUEUES } from '@jss/contract';
import { BACKENDS, Installation, MiB, VCSIM_SETUP_MS, diskHashes, metricValue, sha256File, sparseImage, waitUntil } from '@jss/testing';

/** Failover of a two-VM domain from the bus, the seed's example: one RocVA, two RVMs; on every back end. */
describe.each(BACKENDS)('failover end to end ($platform, $store store)', (backend) => {
  let inst: Installation;
  const images: Record<string, string> = {};

  beforeAll(async () => {
    inst = await Installation.start(undefined, undefined, backend);
    images.app = path.join(inst.dataDir, 'app.img');
    images.web = path.join(inst.dataDir, 'web.img');
    // odd size: not a multiple of the block size; a realistic mix of random, text and zero blocks
    await writeGeneratedImage(images.app, 9 * MiB + 12345, 7, 'app');
    // mostly zeros: 2 data blocks of 16
    await sparseImage(images.web, 16 * MiB, [3, 11]);
    await inst.writer.writePoint('shop', [
      { name: 'app', source: { file: images.app } },
      { name: 'web', source: { file: images.web } },
    ]);
  }, VCSIM_SETUP_MS);
  afterAll(() => inst?.stop());

  it('recovers both VMs byte-identical, through exactly one RocVA and two RVMs, and removes the temporaries', async () => {
    const { id, end } = await inst.run('failover', { domain: 'shop' });
    expect(end.key).toBe('task.completed');
    const taskId = end.event.subject!;

    // task.completed says where each VM runs: its DHCP address, which a vSphere guest reports only once powered on
    const recovered = end.event.data.vms as Array<{ vm: string; name: string; ip: string | null }>;
    expect(recovered.map((r) => r.name).sort()).toEqual(['app', 'web']);
    for (const { name, ip } of recovered) {
      const vm = await inst.platform.getVm('recovery', name);
      expect(vm).not.toBeNull();
      expect(vm!.powerState).toBe('poweredOn');
      expect(vm!.owner).toMatchObject({ taskId, kind: 'recovered' });
      expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(vm!.nics[0].ip).toBe(ip);
      expect(await diskHashes(inst.platform, vm!)).toEqual([await sha256File(images[name])]);
    }

    const created = inst.events.of(id, 'vm.created').map((r) => r.event.data);
    const rocvas = created.filter((d) => d.kind === 'rocva');
    expect(rocvas.map((d) => d.name)).toEqual(['jss-rocva-shop']);
    expect(inst.events.of(id, 'appliance.created')).toHaveLength(1);
    const rvms = created.filter((d) => d.kind === 'rvm');
    expect(rvms.map((d) => d.name).sort()).toEqual(['jss-rvm-app', 'jss-rvm-web']);
    expect(new Set(rvms.map((d) => d.ip)).size).toBe(2);
    expect(rvms.every((d) => typeof d.ip === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(d.ip as string))).toBe(true);

    const left = (await inst.platform.listVms()).map((v) => v.name).filter((n) => n.startsWith('jss-'));
    expect(left).toEqual([]);
    expect(inst.events.of(id, 'appliance.deleted')).toHaveLength(1);
    expect(
      inst.events
        .of(id, 'vm.deleted')
        .map((r) => r.event.data.name)
        .sort(),
    ).toEqual(['jss-rocva-shop', 'jss-rvm-app', 'jss-rvm-web']);

    // progress was reported, ending at the full size
    const progress = inst.events.of(id, 'task.progress').map((r) => r.event.data);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toMatchObject({ bytesDone: 25 * MiB + 12345, bytesTotal: 25 * MiB + 12345 });
    // every event of the task carries the task id as subject and the same trace
    const ofTask = inst.events.of(id).filter((r) => r.key !== 'command.rejected');
    expect(new Set(ofTask.map((r) => r.event.subject))).toEqual(new Set([taskId]));
    expect(new Set(ofTask.map((r) => r.event.traceparent)).size).toBe(1);
  });

  it('neither stores nor writes all-zero blocks: the recovered disk stays sparse', async () => {
    const point = await inst.replica.resolvePoint('shop');
    const web = point!.vms.find((v) => v.name === 'web')!.disks[0];
    expect(web.blocks.filter((b) => b !== null)).toHaveLength(2);
    const vm = await inst.platform.getVm('recovery', 'web');
    const file = inst.platform.diskFile(vm!.disks[0].path);
    const st = statSync(file);
    expect(st.size).toBe(16 * MiB);
    // 2 MiB of data written (plus file-system metadata), not 16
    expect(st.blocks * 512).toBeLessThanOrEqual(2 * MiB + 64 * 1024);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(2 * MiB);
  });

  it('runs a command published twice with the same id once', async () => {
    await inst.writer.writePoint('twice', [{ name: 'solo', source: { sizeBytes: 3 * MiB, seed: 3 } }]);
    const id = await inst.publish('failover', { domain: 'twice' });
    await inst.publish('failover', { domain: 'twice' }, id);
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed', 'command.rejected']);
    expect(end.key).toBe('task.completed');
    // a third copy after the end starts nothing either: once the planner took it (acked), nothing more came of it
    const planner = inst.services.find((s) => s.name.startsWith('planner'))!;
    const acked = () => metricValue(planner, 'jss_messages_total', { queue: QUEUES.plannerCommands, outcome: 'ack' });
    const before = await acked();
    await inst.publish('failover', { domain: 'twice' }, id);
    await waitUntil('the third copy taken', async () => (await acked()) > before);
    expect(inst.events.of(id, 'task.accepted')).toHaveLength(1);
    expect(inst.events.of(id, 'command.rejected')).toHaveLength(0);
    expect(inst.events.of(id, 'vm.created').filter((r) => r.event.data.kind === 'rvm')).toHaveLength(1);
    const tasks = (await inst.tasks.list()).filter((t) => t.commandId === id);
    expect(tasks).toHaveLength(1);
  });
});
