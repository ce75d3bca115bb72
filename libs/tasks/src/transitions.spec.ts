import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FlowFixture } from '@jss/testing';
import {
  ACTIVE_STATES,
  ENDED_STATES,
  IllegalTransitionError,
  OUTCOME_OF,
  TASK_STATES,
  TRANSITIONS,
  describeTransitions,
} from './transitions';

describe('the task state machine', () => {
  it('derives the ended, active and cleaning states from the table', () => {
    expect(ENDED_STATES).toEqual(['completed', 'failed', 'cancelled', 'rolled-back']);
    expect(OUTCOME_OF).toEqual({ cleaning: 'completed', failing: 'failed', cancelling: 'cancelled', 'rolling-back': 'rolled-back' });
    expect(ACTIVE_STATES).toEqual([
      'accepted',
      'quiescing',
      'awaiting-point',
      'provisioning',
      'rehydrating',
      'standby',
      'finalizing',
      'awaiting-approval',
      'testing',
      'awaiting-commit',
    ]);
    // every state the table names is a state, and every active state can be cancelled as well as failed
    for (const s of TASK_STATES) for (const to of TRANSITIONS[s]) expect(TASK_STATES).toContain(to);
    for (const s of ACTIVE_STATES) expect(TRANSITIONS[s]).toContain('cancelling');
  });

  it('matches the list of states in docs/architecture.md', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'architecture.md'), 'utf8');
    const block = readme.split('<!-- task-states -->')[1]?.split('<!-- /task-states -->')[0] ?? '';
    const lines = block.split('\n').filter((l) => l.includes('→'));
    expect(lines).toEqual(describeTransitions());
  });

  describe('a move in Redis (TaskStore.apply)', () => {
    let fx: FlowFixture;
    beforeAll(() => (fx = FlowFixture.create()));
    afterAll(() => fx.close());

    it('refuses a move the table does not allow, naming both states, and changes nothing', async () => {
      const task = await fx.task('failover', await fx.point('illegal', { a: 4096 }));
      await expect(fx.tasks.apply(task.id, { move: { from: ['accepted'], to: 'completed' } })).rejects.toThrow(IllegalTransitionError);
      await expect(fx.tasks.apply(task.id, { move: { from: ['accepted', 'rehydrating'], to: 'provisioning' } })).rejects.toThrow(
        'illegal task state move rehydrating → provisioning',
      );
      expect(await fx.state(task.id)).toBe('accepted');
    });

    it('moves only from one of the given states (compare-and-set)', async () => {
      const task = await fx.task('failover', await fx.point('cas', { a: 4096 }));
      expect(await fx.tasks.apply(task.id, { move: { from: ['provisioning'], to: 'rehydrating' } })).toBe(false);
      expect(await fx.tasks.apply(task.id, { move: { from: ['accepted'], to: 'provisioning' } })).toBe(true);
      expect(await fx.tasks.apply(task.id, { move: { from: ['accepted'], to: 'provisioning' } })).toBe(false);
      expect(await fx.state(task.id)).toBe('provisioning');
    });
  });
});
