import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Evidence, evidenceKeys, evidenceSchema, verifyEvidence } from '@jss/contract';
import { DrillStore } from '@jss/drills';
import { Installation, MiB, ensureChromium, metricValue, renderedDom, runJssctl, waitUntil } from '@jss/testing';

/**
 * Scheduled drills against the real broker and Redis, with two planners: a drill every 20 s runs
 * on its own (once per due time, whichever planner claims it), checks its Test VMs, cleans up and
 * leaves evidence reports whose hashes verify and whose pages render in headless Chromium.
 */
describe('scheduled drills', () => {
  let inst: Installation;
  const jssctl = (...args: string[]) => runJssctl(inst.env, args);
  const ended = () => inst.events.all.filter((r) => r.key === 'drill.ended');
  const planners = () => inst.services.filter((s) => s.name.startsWith('planner'));
  const report = async (id: string) =>
    evidenceSchema.parse(JSON.parse((await inst.store.get(evidenceKeys('audit', id).json)).toString('utf8'))) as Evidence;

  beforeAll(async () => {
    ensureChromium(); // installed from Debian's packages when missing, before the clock of a test runs
    inst = await Installation.start({ planner: 2, provisioner: 1, rehydrator: 1, janitor: 1 });
    await inst.writer.writePoint('audit', [
      { name: 'web', source: { sizeBytes: 3 * MiB, seed: 1 } },
      { name: 'db', source: { sizeBytes: 2 * MiB, seed: 2 } },
    ]);
  }, 300_000);
  afterAll(() => inst?.stop());

  it('refuses a schedule it could not run, saying why, and stores nothing', async () => {
    const bad = await inst.run('drill-schedule', { domain: 'audit', every: 'every tuesday' });
    expect(bad.end.event.data).toMatchObject({ reason: 'invalid-command', message: expect.stringContaining('data.every') });
    const unknown = await inst.run('drill-schedule', { domain: 'nope', every: '1h' });
    expect(unknown.end.event.data.reason).toBe('unknown-domain');
    const notIsolated = await inst.run('drill-schedule', { domain: 'audit', every: '1h', target: { network: 'recovery-net' } });
    expect(notIsolated.end.event.data.reason).toBe('network-not-isolated');
    const none = await inst.run('drill-unschedule', { domain: 'audit' });
    expect(none.end.event.data.reason).toBe('no-drill-schedule');
    expect(await new DrillStore(inst.redis).schedules()).toEqual([]);
  });

  it('runs a drill every 20 s with two planners, once per due time, and leaves evidence that verifies and renders', async () => {
    const scheduled = await jssctl('drill', 'schedule', 'audit', '--every', '20s', '--ttl', '60', '--rto', '10m');
    expect(scheduled.err).toBe('');
    expect(scheduled.out).toMatch(/^scheduled a drill of audit every 20s, next at \S+Z .*as guest$/m);
    expect(JSON.parse((await jssctl('drill', 'list', '--json')).out)).toEqual([
      expect.objectContaining({ domain: 'audit', every: '20s', ttl: 60, rtoObjectiveSeconds: 600, scheduledBy: 'guest' }),
    ]);

    await waitUntil('two drills ended', () => ended().length >= 2, 100_000, 250);
    const off = await jssctl('drill', 'unschedule', 'audit');
    expect(off.out).toMatch(/unscheduled the drills of audit/);
    // a drill claimed before the unschedule goes on to its end
    const drills = new DrillStore(inst.redis);
    await waitUntil('no drill running', async () => (await drills.activeIds()).length === 0, 60_000, 250);

    const ids = ended().map((r) => r.event.data.drillId as string);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
    // one test failover per due time, whichever planner claimed it
    const drillTasks = (await inst.tasks.list()).filter((t) => t.commandId.startsWith('drill-'));
    expect(drillTasks.map((t) => t.commandId).sort()).toEqual([...ids].sort());
    expect(drillTasks.every((t) => t.operation === 'test-failover' && t.state === 'completed')).toBe(true);
    const dueTimes = (await Promise.all(ids.map(report))).map((e) => Date.parse(e.schedule.dueAt)).sort();
    expect(dueTimes[1] - dueTimes[0]).toBe(20_000);

    for (const r of ended()) {
      const id = r.event.data.drillId as string;
      const e = await report(id);
      expect([e.outcome, e.reason, e.message]).toEqual(['passed', null, null]);
      expect(r.event.data).toMatchObject({ outcome: 'passed', sha256: e.sha256, taskId: e.taskId });
      expect(e).toMatchObject({
        domain: 'audit',
        outcome: 'passed',
        reason: null,
        schedule: { every: '20s', scheduledBy: 'guest' },
        recoveryPoint: { id: expect.stringMatching(/^rp-/) },
        target: { network: 'recovery-test-net' },
        rto: { objectiveSeconds: 600, objectiveFrom: 'schedule', met: true, seconds: expect.any(Number) },
        bytes: { total: 5 * MiB },
        steps: [],
      });
      expect(e.vms.map((v) => v.vm).sort()).toEqual(['db', 'web']);
      for (const v of e.vms) {
        expect(v).toMatchObject({ name: `jss-tvm-audit-${v.vm}`, ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) });
        // the times of each Test VM, in the order they happened
        const times = [e.startedAt, v.createdAt, v.rehydratedAt, v.poweredOnAt, v.checkPassedAt, e.endedAt].map((t) => Date.parse(t!));
        expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]))).toBe(true);
      }
      // everything the drill's task created, its RocVA included, each checked gone
      expect(e.removed.map((x) => x.name).sort()).toEqual(['jss-rocva-audit', 'jss-tvm-audit-db', 'jss-tvm-audit-web']);
      expect(e.removed.every((x) => x.goneAt !== null)).toBe(true);
      expect(verifyEvidence(e).ok).toBe(true);

      const verify = await jssctl('drills', 'verify', id, '--sha256', r.event.data.sha256 as string);
      expect([verify.code, verify.out.trim()]).toEqual([0, `${id}: sha256 ${e.sha256} verified`]);
      const page = path.join(inst.dataDir, `${id}.html`);
      expect((await jssctl('drills', 'show', id, '--html', page)).code).toBe(0);
      const dom = renderedDom(page);
      expect(dom).toContain(`id="outcome">passed<`);
      for (const vm of ['web', 'db']) expect(dom).toMatch(new RegExp(`<tr class="vm" data-vm="${vm}" data-check="passed">`));
      expect(dom).toContain(e.sha256);
      expect(readFileSync(page, 'utf8')).not.toMatch(/<(script|link|img)\b|https?:\/\//);
    }

    const listed = JSON.parse((await jssctl('drills', 'audit', '--json')).out) as Evidence[];
    expect(listed.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(await inst.platform.listVms({ kind: 'tvm' })).toEqual([]);

    const counts = await Promise.all(planners().map((p) => metricValue(p, 'jss_drills_total', { outcome: 'passed' })));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length);
    expect(await metricValue(planners()[0], 'jss_drills_overdue')).toBe(0);
  });

  it("a drill whose planners all die mid-drill is carried to its end by a planner started later, running the domain's plan", async () => {
    const before = new Set(ended().map((r) => r.event.data.drillId));
    const plan = `domain: audit
rtoObjectiveSeconds: 900
groups:
  - name: all
    vms: [db, web]
    before:
      - wait: 1
    after:
      - check: {timeoutSeconds: 30}
`;
    const applied = await inst.run('plan-apply', { domain: 'audit', document: plan });
    expect(applied.end.key).toBe('plan.applied');
    const { end } = await inst.run('drill-schedule', { domain: 'audit', every: '10s', ttl: 90 });
    expect(end.key).toBe('drill.scheduled');
    let drill = '';
    await waitUntil(
      'a new drill accepted',
      () => {
        const accepted = inst.events.all.find((r) => r.key === 'task.accepted' && String(r.event.data.commandId).startsWith('drill-'));
        drill = inst.events.all
          .filter((r) => r.key === 'task.accepted')
          .map((r) => String(r.event.data.commandId))
          .find((id) => id.startsWith('drill-') && !before.has(id))!;
        return !!accepted && !!drill;
      },
      30_000,
      20,
    );
    for (const p of planners()) {
      p.child.kill('SIGKILL');
      inst.services.splice(inst.services.indexOf(p), 1);
    }
    await inst.publish('drill-unschedule', { domain: 'audit' }); // queued until a planner runs
    await inst.add({ planner: 1 });
    const last = await inst.events.waitFor(drill, ['drill.ended'], 90_000);
    expect(last.event.data).toMatchObject({ outcome: 'passed', reason: null });
    const e = await report(drill);
    expect(verifyEvidence(e).ok).toBe(true);
    // the plan's steps, each with its times, and the RTO held to the plan's objective
    expect(e.steps.map((st) => [st.stepId, st.kind, st.status])).toEqual([
      ['all.before.1', 'wait', 'completed'],
      ['all.power-on', 'power-on', 'completed'],
      ['all.after.1', 'check', 'completed'],
    ]);
    expect(e.steps.every((st) => st.startedAt && st.endedAt && st.startedAt <= st.endedAt)).toBe(true);
    expect(e.rto).toMatchObject({ objectiveSeconds: 900, objectiveFrom: 'plan', met: true });
    await waitUntil('no drill running', async () => (await new DrillStore(inst.redis).activeIds()).length === 0, 30_000, 250);
    expect(ended().filter((r) => r.event.data.drillId === drill)).toHaveLength(1);
    expect(await inst.platform.listVms({ kind: 'tvm' })).toEqual([]);
    expect(await inst.parkedDeadLetters()).toBe(0); // the plan run sent nothing its own checks refuse
  });

  it('a report changed after the fact no longer verifies', async () => {
    const id = ended()[0].event.data.drillId as string;
    const key = evidenceKeys('audit', id).json;
    const original = await inst.store.get(key);
    const stored = JSON.parse(original.toString('utf8')) as Evidence;
    const forged: Evidence = { ...stored, rto: { ...stored.rto, seconds: 1 } };
    await inst.store.put(key, Buffer.from(JSON.stringify(forged)));
    try {
      const verify = await jssctl('drills', 'verify', id);
      expect(verify.code).toBe(1);
      expect(verify.err).toMatch(/the report was changed/);
    } finally {
      await inst.store.put(key, original);
    }
  });
});
