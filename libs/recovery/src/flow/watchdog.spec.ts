import { Task, TaskState } from '@jss/tasks';
import { stuckTasks } from './watchdog';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const task = (id: string, state: TaskState, idleSeconds: number) =>
  ({ id, state, updatedAt: new Date(NOW - idleSeconds * 1000).toISOString() }) as Task;

describe('stuckTasks', () => {
  it('fails a working task idle past the bound, naming its state; ends an ending one; leaves waiting states alone', () => {
    const live = [
      task('p', 'provisioning', 700),
      task('f', 'finalizing', 100),
      task('c', 'cleaning', 900),
      task('t', 'testing', 99_999),
      task('s', 'standby', 99_999),
      task('a', 'awaiting-point', 99_999),
      task('ap', 'awaiting-approval', 99_999),
      task('ac', 'awaiting-commit', 99_999),
    ];
    const stuck = stuckTasks(live, new Map(), NOW, 600);
    expect(stuck.map((s) => [s.task.id, s.action])).toEqual([
      ['p', 'fail'],
      ['c', 'end'],
    ]);
    expect(stuck[0].message).toMatch(/state "provisioning" for 700s/);
  });

  it('counts bytes moving as a move while rehydrating', () => {
    const rehydrating = task('r', 'rehydrating', 900);
    expect(stuckTasks([rehydrating], new Map([['r', NOW - 10_000]]), NOW, 600)).toEqual([]);
    expect(stuckTasks([rehydrating], new Map([['r', NOW - 700_000]]), NOW, 600)).toHaveLength(1);
  });
});
