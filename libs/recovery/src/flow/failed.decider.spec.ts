import { ACTIVE_STATES } from '@jss/tasks';
import { deciderContext, manifestOf, sentData, taskOf } from '@jss/testing';
import { decideFailed } from './failed.decider';
import { cancelDecision, cleanupTestDecision, commitDecision } from './end';

const point = manifestOf('shop', { app: 1 << 20 });

describe('decideFailed, and the other ends (end.ts)', () => {
  it('reply.failed: from any active state to failing with the worker’s reason, everything removed', async () => {
    const task = taskOf('failover', point, { state: 'rehydrating' });
    const msg = { taskId: task.id, commandId: task.commandId, work: 'rehydrate', reason: 'block-corrupt', message: 'bad block' };
    const d = await decideFailed(deciderContext([{ task }]), msg);
    expect(d?.move).toEqual({
      from: ACTIVE_STATES,
      to: 'failing',
      patch: { error: { reason: 'block-corrupt', message: 'rehydrate: bad block' } },
    });
    expect(sentData(d, 'janitor.release')).toMatchObject({ removeRecovered: true, powerOn: null });
    expect(await decideFailed(deciderContext([]), msg)).toBeNull();
  });

  it('a planned failover that fails or is cancelled powers its source VMs on again', () => {
    const base = taskOf('planned-failover', point, { state: 'awaiting-point' });
    const task = { ...base, spec: { ...base.spec, planned: { site: 'primary', vms: ['app'], timeoutSeconds: 60 } } };
    expect(sentData(cancelDecision(task), 'janitor.release')).toMatchObject({ powerOn: { site: 'primary', vms: ['app'] } });
  });

  it('test-cleanup: a test up is cleaned (its VMs removed, completed); one not up yet is cancelled', () => {
    const task = taskOf('test-failover', point, { state: 'testing' });
    expect(cleanupTestDecision(task).move).toEqual({ from: ['testing'], to: 'cleaning' });
    expect(cleanupTestDecision({ ...task, state: 'rehydrating' }).move?.to).toBe('cancelling');
  });

  it('commit keeps the VMs; rollback removes them', () => {
    const task = taskOf('failover', point, { state: 'awaiting-commit' });
    expect(commitDecision(task, 'commit').move?.to).toBe('cleaning');
    expect(sentData(commitDecision(task, 'commit'), 'janitor.release')).toMatchObject({ removeRecovered: false });
    expect(commitDecision(task, 'rollback').move?.to).toBe('rolling-back');
    expect(sentData(commitDecision(task, 'rollback'), 'janitor.release')).toMatchObject({ removeRecovered: true });
  });
});
