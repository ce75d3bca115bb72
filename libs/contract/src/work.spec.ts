import { REPLIES, WORK } from './work';

describe('internal work and reply schemas', () => {
  const base = { taskId: 'task-1', commandId: 'c-1' };

  it('take what the services send', () => {
    const failed = { ...base, work: 'rehydrate', reason: 'block-corrupt', message: 'x'.repeat(500) };
    expect(REPLIES.failed.schema.safeParse(failed).success).toBe(true);
    expect(WORK.powerOff.schema.safeParse({ ...base, traceparent: '00-abc-def-01', site: 'primary', vms: ['web'] }).success).toBe(true);
  });

  it('refuse unknown fields, unbounded strings and odd values', () => {
    expect(WORK.powerOff.schema.safeParse({ ...base, site: 'primary', vms: ['web'], extra: 1 }).success).toBe(false);
    expect(WORK.powerOff.schema.safeParse({ ...base, site: 'p'.repeat(81), vms: [] }).success).toBe(false);
    expect(REPLIES.failed.schema.safeParse({ ...base, work: 's', reason: 'r', message: 'm'.repeat(2001) }).success).toBe(false);
    expect(REPLIES.poweredOff.schema.safeParse({ ...base, at: 'yesterday' }).success).toBe(false);
  });
});
