import { once } from 'node:events';
import { QUEUES } from '@jss/contract';
import { Manifest, imageSha256 } from '@jss/replica';
import { PointEvents, summaryKey, verdictKey } from '@jss/scan';
import { Installation, STORE_BACKENDS, diskHashes, metricValue, runJssctl, waitUntil } from '@jss/testing';

const SERVICES = { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1, scanner: 1 };
// the local folder and one real server (fauxqs)
const BACKENDS = STORE_BACKENDS.filter((s) => s !== 'azure').map((store) => ({ platform: 'sim' as const, store }));

/**
 * Recovery to the last clean point: every point a writer announces is scanned as it lands; a
 * point where 30% of a structured disk turned random is flagged, a 30% structured rewrite is not;
 * failover, restore, test failover and a drill on last-clean recover the point before the attack.
 */
describe.each(BACKENDS)('recovery to the last clean point ($store store)', (backend) => {
  let inst: Installation;
  const jssctl = (...args: string[]) => runJssctl(inst.env, args);
  const points: Manifest[] = [];
  const scannedEvents = (pointId: string, key = 'point.scanned') =>
    inst.events.all.filter((r) => r.key === key && r.event.subject === pointId);
  const verdictOf = async (pointId: string) => JSON.parse((await inst.store.get(verdictKey('lab', pointId))).toString('utf8'));
  const scanners = () => inst.services.filter((s) => s.name.startsWith('scanner'));

  /** A point written by jssctl (which announces it), once its point.scanned has come. */
  async function write(...args: string[]): Promise<Manifest> {
    const run = await jssctl('replica', ...args, '--seed', String(points.length + 1));
    // announced: no "not announced" line (the AWS SDK may print its Node version warning)
    expect([run.code, run.err]).toEqual([0, expect.not.stringContaining('jssctl:')]);
    const point = (await inst.replica.resolvePoint('lab'))!;
    await waitUntil(`point.scanned of ${point.id}`, () => scannedEvents(point.id).length > 0, 60_000);
    points.push(point);
    return point;
  }

  /** The recovered VM's disk is the image of `point` (read from the store, blocks verified). */
  async function expectDiskOf(site: string, name: string, point: Manifest) {
    const vm = await inst.platform.getVm(site, name);
    expect(await diskHashes(inst.platform, vm!)).toEqual([await imageSha256(inst.store, point, 'app', 0)]);
  }

  beforeAll(async () => {
    // the listing that finds unannounced points runs every 2 s here (30 s by default)
    inst = await Installation.start(SERVICES, { SCANNER_LIST_SECONDS: '2' }, backend);
  });
  afterAll(() => inst?.stop());

  it('finds five normal points and a large structured rewrite clean, flags 30% turned random within its point, and keeps it flagged', async () => {
    await write('write', 'lab', '--vm', 'app:256MiB', '--content', 'structured');
    for (let change = 1; change <= 5; change++) await write('snapshot', 'lab', '--change', String(change), '--content', 'structured');
    const rewrite = await write('snapshot', 'lab', '--change', '30', '--content', 'structured');
    const attack = await write('snapshot', 'lab', '--change', '30', '--content', 'random');
    const after = await write('snapshot', 'lab', '--change', '2', '--content', 'structured');

    const verdicts = await Promise.all(points.map((p) => verdictOf(p.id)));
    expect(verdicts.map((v) => [v.verdict, v.vms[0].reason])).toEqual([
      ['clean', 'baseline'],
      ...Array(5).fill(['clean', 'normal']),
      ['clean', 'large-change'],
      ['suspicious', 'encryption-like'],
      ['suspicious', 'inherited'],
    ]);
    expect(verdicts[6].vms[0].figures).toMatchObject({ changedPercent: expect.any(Number), turnedRandom: 0 });
    expect(verdicts[6].vms[0].figures.changeRate).toBeGreaterThanOrEqual(3);
    expect(verdicts[7].vms[0].figures.turnedPercent).toBeGreaterThan(60);
    expect(verdicts[7].vms[0].suspectSince).toBe(attack.id);
    expect(verdicts[8].vms[0].suspectSince).toBe(attack.id);

    // point.suspicious for the attack (and for the point that still holds it), none for the others
    expect(scannedEvents(attack.id, 'point.suspicious')[0].event.data).toMatchObject({
      domain: 'lab',
      pointId: attack.id,
      verdict: 'suspicious',
      vms: [{ name: 'app', verdict: 'suspicious', reason: 'encryption-like' }],
    });
    const flagged = inst.events.all.filter((r) => r.key === 'point.suspicious').map((r) => r.event.subject);
    expect(new Set(flagged)).toEqual(new Set([attack.id, after.id]));

    const listed = JSON.parse((await jssctl('replica', 'points', 'lab', '--json')).out);
    expect(listed.map((p: { verdict: string }) => p.verdict)).toEqual([...Array(7).fill('clean'), 'suspicious', 'suspicious']);
    expect(listed[7]).toMatchObject({ id: attack.id, vms: ['app'], scan: { vms: [{ figures: verdicts[7].vms[0].figures }] } });
    expect(listed[6].id).toBe(rewrite.id);
    const scanner = scanners()[0];
    expect(await metricValue(scanner, 'jss_points_scanned_total', { verdict: 'suspicious' })).toBe(2);
    expect(await metricValue(scanner, 'jss_points_scanned_total', { verdict: 'clean' })).toBe(7);
  });

  it('fails over, restores and test-fails over last-clean: the point before the attack, byte-identical', async () => {
    const clean = points[6];
    const failover = await inst.run('failover', { domain: 'lab', recoveryPoint: 'last-clean' });
    expect(failover.end.key).toBe('task.completed');
    expect(inst.events.of(failover.id, 'task.accepted')[0].event.data.recoveryPoint).toEqual({
      id: clean.id,
      time: clean.time,
      verdict: 'clean',
    });
    await expectDiskOf('recovery', 'app', clean);

    const restore = await inst.run('restore', { domain: 'lab', vms: ['app'], recoveryPoint: 'last-clean', rename: { app: 'app-clean' } });
    expect(restore.end.key).toBe('task.completed');
    await expectDiskOf('recovery', 'app-clean', clean);

    const test = await inst.run('test-failover', { domain: 'lab', recoveryPoint: 'last-clean' });
    expect(test.end.key).toBe('task.ready');
    await expectDiskOf('recovery', 'jss-tvm-lab-app', clean);
    // the test's end answers the cleanup, under the test's command id
    await inst.publish('test-cleanup', { taskId: test.end.event.subject });
    expect((await inst.events.waitFor(test.id, ['task.completed', 'task.failed'])).key).toBe('task.completed');
    for (const name of ['app', 'app-clean']) await inst.platform.deleteVm('recovery', name);
  });

  it('recovers a suspicious point named on purpose, and says so in task.accepted and the report', async () => {
    const attack = points[7];
    const { id, end } = await inst.run('restore', {
      domain: 'lab',
      vms: ['app'],
      recoveryPoint: attack.id,
      rename: { app: 'app-attacked' },
    });
    expect(end.key).toBe('task.completed');
    const suspicious = {
      id: attack.id,
      time: attack.time,
      verdict: 'suspicious',
      message: expect.stringMatching(/^VM app: .*turned from structured/),
    };
    expect(inst.events.of(id, 'task.accepted')[0].event.data.recoveryPoint).toEqual(suspicious);
    expect(inst.events.of(id, 'task.report')[0].event.data.recoveryPoint).toEqual(suspicious);
    await expectDiskOf('recovery', 'app-attacked', attack);
    await inst.platform.deleteVm('recovery', 'app-attacked');
  });

  it('runs a drill on last-clean, whose evidence records the verdict of the point it tested', async () => {
    const scheduled = await inst.run('drill-schedule', { domain: 'lab', every: '5s', ttl: 120, recoveryPoint: 'last-clean' });
    expect(scheduled.end.key).toBe('drill.scheduled');
    await waitUntil('a drill ended', () => inst.events.all.some((r) => r.key === 'drill.ended'), 120_000, 250);
    expect((await inst.run('drill-unschedule', { domain: 'lab' })).end.key).toBe('drill.unscheduled');
    const ended = inst.events.all.find((r) => r.key === 'drill.ended')!.event.data as { outcome: string; report: { json: string } };
    const evidence = JSON.parse((await inst.store.get(ended.report.json)).toString('utf8'));
    expect([ended.outcome, evidence.recoveryPoint]).toEqual(['passed', { id: points[6].id, time: points[6].time, verdict: 'clean' }]);
    await waitUntil(
      'the drills over',
      async () => (await inst.tasks.list()).every((t) => ['completed', 'failed', 'cancelled'].includes(t.state)),
      120_000,
      250,
    );
  });

  it('changes nothing when a point is scanned again', async () => {
    const attack = points[7];
    const stored = [await inst.store.get(verdictKey('lab', attack.id)), await inst.store.get(summaryKey('lab', attack.id))];
    const seen = scannedEvents(attack.id).length;
    await new PointEvents(inst.bus, '/test').created(attack);
    await waitUntil('point.scanned again', () => scannedEvents(attack.id).length > seen, 30_000);
    expect((await inst.store.get(verdictKey('lab', attack.id))).equals(stored[0])).toBe(true);
    expect((await inst.store.get(summaryKey('lab', attack.id))).equals(stored[1])).toBe(true);
    // the same event again (one id), and no second verdict counted
    expect(new Set(scannedEvents(attack.id).map((r) => r.event.id)).size).toBe(1);
    expect(await metricValue(scanners()[0], 'jss_points_scanned_total')).toBe(points.length);
  });

  it('scans a point once when its scanner is killed in the middle: the redelivered message finishes it', async () => {
    await inst.stopServices('scanner');
    await inst.add({ scanner: 1 }, { JSS_TEST_CRASH_AT: 'scan-before-verdict' });
    const crashing = scanners()[0];
    const exited = once(crashing.child, 'exit');
    const point = await inst.writer.snapshot('lab', { changePercent: 3, seed: 99, content: 'structured' });
    await new PointEvents(inst.bus, '/test').created(point);
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
    // killed between the summary and the verdict
    expect(await inst.store.exists(summaryKey('lab', point.id))).toBe(true);
    expect(await inst.store.exists(verdictKey('lab', point.id))).toBe(false);
    inst.services.splice(inst.services.indexOf(crashing), 1);

    await inst.add({ scanner: 1 });
    await waitUntil(`point.scanned of ${point.id}`, () => scannedEvents(point.id).length > 0, 60_000);
    expect((await verdictOf(point.id)).verdict).toBe('suspicious'); // it still holds the attacked blocks
    expect(new Set(scannedEvents(point.id).map((r) => r.event.id)).size).toBe(1);
    expect(await metricValue(scanners()[0], 'jss_points_scanned_total')).toBe(1);
    for (const q of [QUEUES.deadLetters, QUEUES.parkedDeadLetters]) expect((await inst.queueStat(q)).messageCount).toBe(0);
    expect((await inst.queueStat(QUEUES.scannerPoints)).messageCount).toBe(0);
  });

  it('waits for the verdict of a newer point (asking for it), refuses when none comes, and finds unannounced points by listing', async () => {
    await inst.stopServices('scanner');
    const unannounced = await inst.writer.snapshot('lab', { changePercent: 1, seed: 100, content: 'structured' });
    const ask = { domain: 'lab', vms: ['app'], recoveryPoint: 'last-clean', dryRun: true };
    const refused = await inst.run('restore', ask);
    expect(refused.end.event.data).toMatchObject({ reason: 'point-unscanned', message: expect.stringContaining(unannounced.id) });

    // while the planner waits, a scanner starts and scans the point the planner asked for
    const id = await inst.publish('restore', ask);
    await inst.add({ scanner: 1 });
    const planned = await inst.events.waitFor(id, ['task.planned', 'command.rejected']);
    expect(planned.event.data.recoveryPoint).toEqual({ id: points[6].id, time: points[6].time, verdict: 'clean' });
    expect(scannedEvents(unannounced.id)).not.toEqual([]);

    // a point no one announces is found by the scanner's listing
    const silent = await inst.writer.snapshot('lab', { changePercent: 1, seed: 101, content: 'structured' });
    await waitUntil(`point.scanned of ${silent.id}`, () => scannedEvents(silent.id).length > 0, 60_000);
    const age = await metricValue(scanners()[0], 'jss_last_clean_point_age_seconds', { domain: 'lab' });
    expect(Math.abs(age - (Date.now() - Date.parse(points[6].time)) / 1000)).toBeLessThan(10);
  });

  it('tunes or disables the scanning of a domain with jssctl; disabled, last-clean is refused at once', async () => {
    const tuned = await jssctl('replica', 'scan-settings', 'lab', '--min-turned-percent', '70', '--json');
    expect(JSON.parse(tuned.out)).toMatchObject({ enabled: true, minTurnedPercent: 70, randomAbove: 7.9 });
    const bad = await jssctl('replica', 'scan-settings', 'lab', '--random-above', '9');
    expect([bad.code, bad.err]).toEqual([1, expect.stringMatching(/^jssctl: invalid scan settings: randomAbove: /m)]);
    expect(JSON.parse((await jssctl('replica', 'scan-settings', 'lab', '--disable', '--json')).out).enabled).toBe(false);
    const refused = await inst.run('failover', { domain: 'lab', recoveryPoint: 'last-clean', dryRun: true });
    expect(refused.end.event.data).toMatchObject({ reason: 'point-unscanned', message: expect.stringContaining('scanning is disabled') });
    const reset = JSON.parse((await jssctl('replica', 'scan-settings', 'lab', '--reset', '--json')).out);
    expect(reset).toMatchObject({ enabled: true, minTurnedPercent: 50 });
  });
});
