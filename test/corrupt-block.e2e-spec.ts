import { blockKey } from '@jss/replica';
import { Installation, MiB, STORE_BACKENDS } from '@jss/testing';

/** A block whose bytes no longer match its hash fails the task clearly; nothing is left behind. */
describe.each(STORE_BACKENDS)('corrupted block in the object store (%s store)', (store) => {
  let inst: Installation;

  beforeAll(async () => {
    inst = await Installation.start(undefined, {}, { store });
    await inst.writer.writePoint('hr', [
      { name: 'good', source: { sizeBytes: 3 * MiB, seed: 1 } },
      { name: 'bad', source: { sizeBytes: 6 * MiB, seed: 2 } },
    ]);
  });
  afterAll(() => inst?.stop());

  it('fails the task with block-corrupt and removes its temporaries and partial results', async () => {
    const point = await inst.replica.resolvePoint('hr');
    const victim = point!.vms.find((v) => v.name === 'bad')!.disks[0].blocks.find((b) => b !== null)!;
    await inst.store.put(blockKey('hr', victim), Buffer.alloc(MiB, 7)); // same key, other bytes

    const { end } = await inst.run('failover', { domain: 'hr' });
    expect(end.key).toBe('task.failed');
    expect(end.event.data.reason).toBe('block-corrupt');
    expect(end.event.data.message).toContain(victim);
    expect(end.event.data.message).toMatch(/bad/);

    expect(await inst.platform.listVms({ site: 'recovery' })).toEqual([]);
    const task = await inst.tasks.get(end.event.subject!);
    expect(task?.state).toBe('failed');
  });
});
