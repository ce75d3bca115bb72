import { TaskState } from '@jss/tasks';
import { deciderContext, manifestOf, rehydrating, sentKeys } from '@jss/testing';
import { decideReleased } from './released.decider';

const MiB = 1 << 20;
const point = manifestOf('shop', { app: 300 * MiB });

/** Temporaries gone: the task ends with the outcome its ending state decided, and reports. */
describe('decideReleased', () => {
  const ended = (state: TaskState, stats = {}) => {
    const task = { ...rehydrating('failover', point), state, error: { reason: 'block-corrupt', message: 'bad block' } };
    return { task, stats };
  };

  it.each([
    ['cleaning', 'completed', 'task.completed'],
    ['failing', 'failed', 'task.failed'],
    ['cancelling', 'cancelled', 'task.cancelled'],
    ['rolling-back', 'rolled-back', 'task.rolled-back'],
  ] as const)('%s → %s: %s and task.report', async (state, outcome, end) => {
    const book = ended(state);
    const d = await decideReleased(deciderContext([book]), { taskId: book.task.id });
    expect(d?.move).toMatchObject({ from: [state], to: outcome, patch: { report: { outcome } } });
    expect(sentKeys(d)).toEqual([end, 'task.report']);
    expect(d?.record).toBeUndefined();
  });

  it('a state that decides no outcome (the commit wait releases its temporaries too) decides nothing', async () => {
    const book = ended('awaiting-commit');
    expect(await decideReleased(deciderContext([book]), { taskId: book.task.id })).toBeNull();
  });
});
