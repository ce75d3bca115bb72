import { planOf } from '@jss/recovery-plans';
import { deciderContext, manifestOf, sentKeys, plannedTaskOf } from '@jss/testing';
import { decidePlanEffectDone } from './plan-effect-done.decider';

const point = manifestOf('shop', { db: 1 << 20 });
/** data: db up, then a webhook that may fail (data.after.1) and a check that may not (data.after.2). */
const webhook = { url: 'http://127.0.0.1:9/h', timeoutSeconds: 1, retries: 0 };
const after = [
  { webhook, 'continue-on-failure': true },
  { check: { timeoutSeconds: 5 }, 'continue-on-failure': false },
];
const task = plannedTaskOf(
  point,
  planOf({ domain: 'shop', groups: [{ name: 'data', delaySeconds: 0, vms: ['db'], before: [], after }] }),
  'finalizing',
);

describe('decidePlanEffectDone', () => {
  const ran = (stepId: string, error: { reason: string; message: string } | null) => {
    const steps = { [stepId]: { status: 'running' as const, startedAt: task.createdAt } };
    return decidePlanEffectDone(deciderContext([{ task, steps }]), { taskId: task.id, stepId, error });
  };
  const error = { reason: 'plan-step-failed', message: 'no 2xx' };

  it('passed: the step completes and the plan goes on', async () => {
    const d = await ran('data.after.2', null);
    expect(d).toMatchObject({ claim: { fields: { status: 'completed' } }, then: 'plan' });
    expect(d?.move).toBeUndefined();
  });

  it('failed with continue-on-failure: reported, the plan goes on', async () => {
    const d = await ran('data.after.1', error);
    expect(d).toMatchObject({ claim: { fields: { status: 'failed', continued: true } }, then: 'plan' });
    expect(sentKeys(d)).toEqual(['plan.step-failed']);
  });

  it('failed without: the task fails with the step named', async () => {
    const d = await ran('data.after.2', error);
    expect(d?.move).toMatchObject({ to: 'failing', patch: { error: { message: 'plan step data.after.2: no 2xx' } } });
    expect(sentKeys(d)).toEqual(['plan.step-failed', 'janitor.release']);
  });

  it('a step that does not run (ended by another replica) decides nothing', async () => {
    const input = { taskId: task.id, stepId: 'data.after.1', error: null };
    expect(await decidePlanEffectDone(deciderContext([{ task }]), input)).toBeNull();
  });
});
