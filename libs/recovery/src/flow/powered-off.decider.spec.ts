import { deciderContext, manifestOf, sentData, sentKeys, taskOf } from '@jss/testing';
import { decidePoweredOff } from './powered-off.decider';

const point = manifestOf('shop', { app: 1 << 20 });
const planned = { site: 'primary', vms: ['app'], timeoutSeconds: 60 };

describe('decidePoweredOff (planned failover)', () => {
  it('quiescing → awaiting-point with the power-off time; a final point is asked of the replication side', async () => {
    const base = taskOf('planned-failover', point, { state: 'quiescing' });
    const task = { ...base, spec: { ...base.spec, planned } };
    const at = new Date().toISOString();
    const d = await decidePoweredOff(deciderContext([{ task }]), { taskId: task.id, commandId: task.commandId, at });
    expect(d?.move).toEqual({ from: ['quiescing'], to: 'awaiting-point', patch: { poweredOffAt: at } });
    expect(sentKeys(d)).toEqual(['replicate.request']);
    expect(sentData(d, 'replicate.request')).toMatchObject({ domain: 'shop', site: 'primary' });
  });

  it('in any other state (a redelivered reply) decides nothing', async () => {
    const task = taskOf('planned-failover', point, { state: 'awaiting-point' });
    const msg = { taskId: task.id, commandId: task.commandId, at: new Date().toISOString() };
    expect(await decidePoweredOff(deciderContext([{ task }]), msg)).toBeNull();
  });
});
