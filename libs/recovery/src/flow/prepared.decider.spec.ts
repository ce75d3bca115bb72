import { Prepared } from '@jss/contract';
import { Task } from '@jss/tasks';
import { deciderContext, manifestOf, sentKeys, taskOf } from '@jss/testing';
import { decidePrepared } from './prepared.decider';

const MiB = 1 << 20;
const point = manifestOf('shop', { app: 300 * MiB, web: MiB, db: 2 * MiB });

const prepared = (task: Task): Prepared => ({
  taskId: task.id,
  commandId: task.commandId,
  rocva: 'jss-rocva-shop',
  temporaries: point.vms.map((v) => ({
    vm: v.name,
    name: `jss-rvm-${v.name}`,
    ip: '10.0.0.9',
    disks: [{ path: `[recovery-ds] jss-rvm-${v.name}/disk-0.img`, sizeBytes: v.disks[0].sizeBytes }],
  })),
});

describe('decidePrepared', () => {
  it('provisioning → rehydrating with the layout and the range jobs (a large disk split, small disks sharing one), then check-rehydrated', async () => {
    const task = taskOf('failover', point, { state: 'provisioning' });
    const d = await decidePrepared(deciderContext([{ task }], [point]), prepared(task));
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

  it('a point gone from the store fails the task; another state decides nothing', async () => {
    const task = taskOf('failover', point, { state: 'provisioning' });
    expect((await decidePrepared(deciderContext([{ task }], []), prepared(task)))?.move?.to).toBe('failing');
    const later = { ...task, state: 'rehydrating' as const };
    expect(await decidePrepared(deciderContext([{ task: later }], [point]), prepared(task))).toBeNull();
  });
});
