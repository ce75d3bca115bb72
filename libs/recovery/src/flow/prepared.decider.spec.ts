import { LIMITS, PrepareWork, Prepared } from '@jss/contract';
import { Task, checkPrepare, checkPrepared } from '@jss/tasks';
import { deciderContext, manifestOf, sentKeys, taskOf } from '@jss/testing';
import { decideAllPrepared, decidePrepared } from './prepared.decider';
import { prepareWork } from './work-messages';

const MiB = 1 << 20;
const point = manifestOf('shop', { app: 300 * MiB, web: MiB, db: 2 * MiB });

/** reply.prepared of the VMs of one chunk (each VM's one disk of the point's size). */
const preparedOf = (task: Task, vms: string[], chunk = { index: 0, count: 1 }): Prepared => ({
  taskId: task.id,
  commandId: task.commandId,
  rocva: 'jss-rocva-shop',
  chunk,
  temporaries: vms.map((vm) => ({
    vm,
    name: `jss-rvm-${vm}`,
    ip: '10.0.0.9',
    disks: [{ path: `[recovery-ds] jss-rvm-${vm}/disk-0.img`, sizeBytes: point.vms.find((v) => v.name === vm)?.disks[0].sizeBytes ?? MiB }],
  })),
});
const prepared = (task: Task) => preparedOf(task, task.vms);

describe('decidePrepared', () => {
  it('a chunk of the temporaries is recorded, then check-prepared; in another state nothing', async () => {
    const task = taskOf('failover', point, { state: 'provisioning' });
    const d = await decidePrepared(deciderContext([{ task }], [point]), prepared(task));
    expect(d).toMatchObject({ record: [{ kind: 'prepared', reply: prepared(task) }], send: [], then: 'check-prepared' });
    expect(d?.move).toBeUndefined();
    const later = { ...task, state: 'rehydrating' as const };
    expect(await decidePrepared(deciderContext([{ task: later }], [point]), prepared(task))).toBeNull();
  });
});

describe('decideAllPrepared', () => {
  it('provisioning → rehydrating with the layout and the range jobs (a large disk split, small disks sharing one), then check-rehydrated', async () => {
    const task = taskOf('failover', point, { state: 'provisioning' });
    const d = await decideAllPrepared(deciderContext([{ task, prepared: [prepared(task)] }], [point]), { taskId: task.id });
    expect(d?.move).toMatchObject({
      from: ['provisioning'],
      to: 'rehydrating',
      patch: { rocva: 'jss-rocva-shop', jobCount: 3, layout: [{ name: 'app', temp: 'jss-rvm-app', tempIp: '10.0.0.9' }, {}, {}] },
    });
    expect(sentKeys(d)).toEqual(['rehydrate.range', 'rehydrate.range', 'rehydrate.range']);
    const parts = d!.send.map((m) => (m.data as { parts?: unknown[] }).parts?.length ?? 1);
    expect(parts).toEqual([1, 1, 2]); // app in two ranges of 256 MiB at most; web and db in one job
    expect(d?.then).toBe('check-rehydrated');
  });

  it('a point gone from the store fails the task', async () => {
    const task = taskOf('failover', point, { state: 'provisioning' });
    const d = await decideAllPrepared(deciderContext([{ task, prepared: [prepared(task)] }], []), { taskId: task.id });
    expect(d?.move?.to).toBe('failing');
  });
});

describe('a task of more VMs than one message carries', () => {
  const n = 2 * LIMITS.vmsPerMessage + 500;
  const big = manifestOf('fleet', Object.fromEntries(Array.from({ length: n }, (_, i) => [`vm-${String(i).padStart(5, '0')}`, MiB])));
  const task = taskOf('failover', big, { state: 'provisioning' });
  const works = prepareWork(task, big).map((m) => m.data as PrepareWork);

  it('prepare goes in chunks of at most vmsPerMessage VMs, in the task order, each passing its check', () => {
    expect(works.map((w) => w.vms.length)).toEqual([LIMITS.vmsPerMessage, LIMITS.vmsPerMessage, 500]);
    expect(works.map((w) => w.chunk)).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })));
    expect(works.flatMap((w) => w.vms.map((v) => v.name))).toEqual(task.vms);
    for (const w of works) expect(checkPrepare(task, w)).toBeNull();
    expect(checkPrepare(task, { ...works[1], chunk: { index: 0, count: 3 } })).toMatch(/vms are not the task's/);
    expect(checkPrepare(task, { ...works[1], chunk: { index: 1, count: 2 } })).toMatch(/chunk is not one of the task's/);
  });

  it('the replies are checked per chunk; the task moves on only once every chunk came, with the layout in the task order', async () => {
    const replies = works.map((w) =>
      preparedOf(
        task,
        w.vms.map((v) => v.name),
        w.chunk,
      ),
    );
    for (const r of replies) expect(checkPrepared(task, r)).toBeNull();
    expect(checkPrepared(task, { ...replies[0], chunk: replies[2].chunk })).toMatch(/not of the task's VMs/);
    const some = await decideAllPrepared(deciderContext([{ task, prepared: [replies[0], replies[2]] }], [big]), { taskId: task.id });
    expect(some).toBeNull();
    const all = await decideAllPrepared(deciderContext([{ task, prepared: replies }], [big]), { taskId: task.id });
    expect(all?.move?.to).toBe('rehydrating');
    expect(all?.move?.patch?.layout?.map((v) => v.name)).toEqual(task.vms);
  });
});
