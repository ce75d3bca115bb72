import { evidenceSchema, verifyEvidence } from '@jss/contract';
import { JobStats, Task } from '@jss/tasks';
import { Drill } from './drill';
import { evidenceOf } from './evidence';
import { evidenceHtml } from './evidence-html';

const T0 = '2026-12-01T03:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

const drill = (over: Partial<Drill> = {}): Drill => ({
  id: 'drill-shop-20261201T030000Z',
  domain: 'shop',
  state: 'reporting',
  dueAt: T0,
  startedAt: at(0.2),
  endedAt: at(30),
  schedule: {
    domain: 'shop',
    every: '0 3 * * *',
    ttl: 3600,
    rtoObjectiveSeconds: 60,
    alertAfterSeconds: 90_000,
    scheduledBy: 'qa',
    scheduledAt: at(-86_400),
    commandId: 'c1',
  },
  checks: { web: { createdAt: at(1), ip: '10.21.0.9', passedAt: at(12), message: 'powered on with address 10.21.0.9' } },
  removed: [{ name: 'jss-tvm-shop-web', kind: 'tvm', site: 'recovery', gone: true }],
  ...over,
});

const task = (over: Partial<Task> = {}): Task =>
  ({
    id: 'task-1',
    commandId: 'drill-shop-20261201T030000Z',
    operation: 'test-failover',
    domain: 'shop',
    state: 'completed',
    vms: ['web'],
    point: { id: 'rp-20261201T020000000Z-1a2b', time: '2026-12-01T02:00:00.000Z' },
    target: { site: 'recovery', cluster: 'recovery-cluster', datastore: 'recovery-ds', network: 'recovery-test-net' },
    spec: { temporaryNetwork: 'recovery-test-net', finals: [], bootOrder: [], ttlSeconds: 3600 },
    bytesTotal: 4 << 20,
    createdAt: at(0.3),
    updatedAt: at(30),
    layout: [{ name: 'web', temp: 'jss-tvm-shop-web', tempIp: null, disks: [{ index: 0, sizeBytes: 4 << 20, path: 'p' }] }],
    jobs: [
      { jobId: 'j1', vm: 'web', disk: 0, firstBlock: 0, blockCount: 2, bytes: 2 << 20 },
      { jobId: 'j2', vm: 'web', disk: 0, firstBlock: 2, blockCount: 2, bytes: 2 << 20 },
    ],
    recovered: [{ vm: 'web', name: 'jss-tvm-shop-web', site: 'recovery', ip: '10.21.0.9', poweredOnAt: at(8) }],
    report: {
      taskId: 'task-1',
      commandId: 'drill-shop-20261201T030000Z',
      operation: 'test-failover',
      domain: 'shop',
      outcome: 'completed',
      rtoSeconds: 7.7,
      durationSeconds: 29,
      vms: [
        {
          name: 'web',
          bytes: 4 << 20,
          bytesRead: 3 << 20,
          blocksRead: 3,
          blocksSkippedZero: 1,
          blocksSkippedUnchanged: 0,
          rehydrationSeconds: 4,
          powerOnSeconds: 7.7,
        },
      ],
    },
    ...over,
  }) as Task;

const stats: Record<string, JobStats> = {
  j1: { bytesRead: 1 << 20, blocksRead: 1, blocksZero: 1, blocksUnchanged: 0, startedAt: at(2), doneAt: at(5) },
  j2: { bytesRead: 2 << 20, blocksRead: 2, blocksZero: 0, blocksUnchanged: 0, startedAt: at(2), doneAt: at(6) },
};

describe('evidence report', () => {
  it('a passed drill: each VM with its times, the RTO against the schedule objective, what was removed, a hash that verifies', () => {
    const e = evidenceOf(drill(), task(), stats);
    expect(evidenceSchema.parse(e)).toEqual(e);
    expect(e).toMatchObject({
      outcome: 'passed',
      reason: null,
      rto: { seconds: 7.7, objectiveSeconds: 60, objectiveFrom: 'schedule', met: true },
    });
    expect(e.vms).toEqual([
      {
        vm: 'web',
        name: 'jss-tvm-shop-web',
        site: 'recovery',
        ip: '10.21.0.9',
        createdAt: at(1),
        rehydratedAt: at(6),
        poweredOnAt: at(8),
        checkPassedAt: at(12),
        check: 'powered on with address 10.21.0.9',
        bytes: 4 << 20,
        bytesRead: 3 << 20,
      },
    ]);
    expect(e.removed).toEqual([{ name: 'jss-tvm-shop-web', kind: 'tvm', site: 'recovery', goneAt: at(30) }]);
    expect(e.steps).toEqual([]);
    expect(verifyEvidence(e).ok).toBe(true);
    expect(evidenceOf(drill(), task(), stats)).toEqual(e); // written again after a crash: the same report
  });

  it('fails for a check that did not pass, a Test VM left behind, or the task’s own failure, saying which', () => {
    const unchecked = evidenceOf(drill({ checks: {} }), task(), stats);
    expect(unchecked).toMatchObject({ outcome: 'failed', reason: 'check-failed' });
    expect(unchecked.vms[0]).toMatchObject({ checkPassedAt: null, check: 'not checked: the Test VMs were never up' });
    const left = evidenceOf(drill({ removed: [{ name: 'jss-tvm-shop-web', kind: 'tvm', site: 'recovery', gone: false }] }), task(), stats);
    expect(left).toMatchObject({ outcome: 'failed', reason: 'cleanup-incomplete', removed: [{ goneAt: null }] });
    const leaked = { name: 'jss-rocva-shop', kind: 'rocva', site: 'recovery', gone: false };
    const rocva = evidenceOf(
      drill({ removed: [{ name: 'jss-tvm-shop-web', kind: 'tvm', site: 'recovery', gone: true }, leaked] }),
      task(),
      stats,
    );
    expect(rocva).toMatchObject({ outcome: 'failed', reason: 'cleanup-incomplete', message: expect.stringMatching(/jss-rocva-shop$/) });
    const shared = evidenceOf(drill({ removed: [{ ...leaked, sharedWith: ['task-other'] }] }), task(), stats);
    expect(shared).toMatchObject({ outcome: 'passed', removed: [{ name: 'jss-rocva-shop', goneAt: null, sharedWith: ['task-other'] }] });
    const failed = evidenceOf(drill(), task({ state: 'failed', error: { reason: 'block-corrupt', message: 'web disk 0 block 3' } }), stats);
    expect(failed).toMatchObject({ outcome: 'failed', reason: 'block-corrupt', message: 'web disk 0 block 3' });
    const refused = evidenceOf(drill({ error: { reason: 'forbidden', message: 'no' }, checks: undefined, removed: [] }), null, {});
    expect(refused).toMatchObject({ outcome: 'failed', reason: 'forbidden', taskId: null, vms: [], recoveryPoint: null });
    expect(evidenceOf(drill({ schedule: { ...drill().schedule, rtoObjectiveSeconds: 5 } }), task(), stats).rto.met).toBe(false);
  });

  it("lists the steps of the recovery plan the task ran, as its report lists them, and holds the RTO to the plan's objective", () => {
    const steps = [
      {
        stepId: 'all.before.1',
        group: 'all',
        phase: 'before' as const,
        kind: 'wait' as const,
        status: 'completed' as const,
        startedAt: at(8),
        endedAt: at(13),
      },
    ];
    const withPlan = task();
    withPlan.report = { ...withPlan.report!, plan: { version: 2, steps } };
    withPlan.spec = { ...withPlan.spec, recoveryPlan: { version: 2, rtoObjectiveSeconds: 5, steps: [] } };
    const e = evidenceOf(drill(), withPlan, stats);
    expect(e.steps).toEqual(steps);
    expect(e.rto).toMatchObject({ objectiveSeconds: 5, objectiveFrom: 'plan', met: false });
    expect(evidenceHtml(e)).toContain('<tr class="step" data-step="all.before.1" data-status="completed">');
  });

  it('renders a page with no script or outside asset, every value escaped', () => {
    const e = evidenceOf(drill({ error: { reason: 'forbidden', message: '<script>alert(1)</script> & "x"' } }), task(), stats);
    const html = evidenceHtml(e);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b|https?:\/\//);
    expect(html).toContain('<tr class="vm" data-vm="web" data-check="passed">');
    expect(html).toContain(e.sha256);
  });
});
