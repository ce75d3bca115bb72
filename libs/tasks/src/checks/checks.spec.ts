import type { RangeJob, ReleaseWork } from '@jss/contract';
import type { Task } from '../task';
import { checkPowerOff, checkRange, checkRelease } from './work-checks';
import { checkRangeReply } from './reply-checks';

const job = { jobId: 'rp-1/web/0/0', vm: 'web', disk: 0, firstBlock: 0, blockCount: 4, bytes: 4096 };
const task = {
  id: 't1',
  commandId: 'c1',
  domain: 'shop',
  state: 'rehydrating',
  vms: ['web'],
  point: { id: 'rp-1', time: '2026-01-01T00:00:00Z' },
  target: { site: 'recovery', cluster: 'recovery-cluster', datastore: 'recovery-ds', network: 'recovery-net' },
  spec: { useRocva: true, temporaryKind: 'rvm', temporaryNetwork: 'recovery-net', finals: [], bootOrder: [] },
  layout: [
    {
      name: 'web',
      temp: 'jss-rvm-web',
      tempIp: null,
      disks: [{ index: 0, sizeBytes: 4096, path: '[recovery-ds] jss-rvm-web/disk-0.img' }],
    },
  ],
  jobs: [job],
} as unknown as Task;
const range: RangeJob = {
  taskId: 't1',
  commandId: 'c1',
  domain: 'shop',
  pointId: 'rp-1',
  previousPointId: null,
  diskPath: '[recovery-ds] jss-rvm-web/disk-0.img',
  ...job,
};

describe('work checks', () => {
  it('a range job must be a planned job of the current point into the task temporary disk', () => {
    expect(checkRange(task, range)).toBeNull();
    expect(checkRange(task, { ...range, diskPath: '[../../x] v/victim.img' })).toMatch(/diskPath/);
    expect(checkRange(task, { ...range, jobId: 'rp-1/web/0/99' })).toMatch(/not one of the task's/);
    expect(checkRange(task, { ...range, blockCount: 400 })).toMatch(/blockCount/);
    expect(checkRange(task, { ...range, domain: 'crm' })).toMatch(/domain/);
  });

  it('a power-off must be the planned source VMs', () => {
    expect(checkPowerOff(task, { taskId: 't1', commandId: 'c1', site: 'primary', vms: ['web'] })).toMatch(/not a planned failover/);
    const planned = { ...task, spec: { ...task.spec, planned: { site: 'primary', vms: ['web'], timeoutSeconds: 9 } } } as Task;
    expect(checkPowerOff(planned, { taskId: 't1', commandId: 'c1', site: 'primary', vms: ['web'] })).toBeNull();
    expect(checkPowerOff(planned, { taskId: 't1', commandId: 'c1', site: 'primary', vms: ['web', 'prod'] })).toMatch(/planned source/);
  });

  it('a release must be of an ending task, undoing only what did not complete', () => {
    const release: ReleaseWork = { taskId: 't1', commandId: 'c1', domain: 'shop', site: 'recovery', removeRecovered: false, powerOn: null };
    expect(checkRelease(task, release)).toMatch(/not ending/);
    expect(checkRelease({ ...task, state: 'cleaning' }, release)).toBeNull();
    expect(checkRelease({ ...task, state: 'cleaning' }, { ...release, removeRecovered: true })).toMatch(/removeRecovered/);
    expect(checkRelease({ ...task, state: 'failing' }, { ...release, removeRecovered: true })).toBeNull();
  });

  it('a range reply must name a job of the task (an earlier round is let through, and ignored)', () => {
    const reply = { taskId: 't1', commandId: 'c1', jobId: 'rp-1/web/0/0', bytesDone: 1 };
    expect(checkRangeReply(task, reply)).toBeNull();
    expect(checkRangeReply(task, { ...reply, jobId: 'rp-1/web/0/4242' })).toMatch(/not one of the task's/);
    expect(checkRangeReply(task, { ...reply, jobId: 'rp-0/web/0/0' })).toBeNull();
  });
});
