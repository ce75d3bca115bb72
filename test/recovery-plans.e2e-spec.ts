import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Installation, runJssctl } from '@jss/testing';
import { Hook, PlanSuite } from './support/plans';

describe('recovery plans', () => {
  let suite: PlanSuite;
  let inst: Installation;
  let hook: Hook;
  beforeAll(async () => ({ inst, hook } = suite = await PlanSuite.start()));
  afterAll(() => suite?.stop());

  it('refuses at apply a plan naming an unknown VM, an unknown network, a VM twice or a webhook host not allowed, with the line at fault', async () => {
    const cases: Array<[string, RegExp]> = [
      ['domain: shop\ngroups:\n  - name: a\n    vms: [db, nope]\n', /line 4: VM "nope" is not a protected VM of domain "shop"/],
      [
        'domain: shop\ngroups:\n  - name: a\n    vms:\n      - name: db\n        network: lost-net\n',
        /line 6: network "lost-net" does not exist/,
      ],
      [
        'domain: shop\ngroups:\n  - name: a\n    vms: [db]\n  - name: b\n    vms:\n      - app\n      - db\n',
        /line 8: VM "db" is already in group "a"/,
      ],
      [
        'domain: shop\ngroups:\n  - name: a\n    vms: [db]\n    before:\n      - webhook: { url: "http://169.254.169.254/latest/meta-data" }\n',
        /line 6: webhook host "169.254.169.254" is not in JSS_WEBHOOK_HOSTS \(127.0.0.1\)/,
      ],
      // re-IP to the planner's host: refused (a check step would connect to it)
      [
        'domain: shop\ngroups:\n  - name: a\n    vms:\n      - name: db\n        network: recovery-static-net\n        ip: 127.0.0.1\n',
        /line 7: VM "db" may not be re-addressed: 127\.0\.0\.1 is a loopback address/,
      ],
      // re-IP outside the range the platform knows for the network
      [
        'domain: shop\ngroups:\n  - name: a\n    vms:\n      - name: db\n        network: recovery-static-net\n        ip: 10.99.0.5\n',
        /line 7: VM "db" may not be re-addressed: 10\.99\.0\.5 is outside network "recovery-static-net" \(10\.22\.0\.0\/24\)/,
      ],
      // nine levels of aliases: refused at once (one answer, nothing redelivered or dead-lettered)
      [
        [
          'domain: shop',
          'x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
          ...Array.from({ length: 8 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`),
          'groups: []',
        ].join('\n'),
        /line 3: unreadable YAML: Excessive alias count/,
      ],
    ];
    for (const [document, message] of cases) {
      const answer = await suite.apply(document);
      expect(answer.key).toBe('command.rejected');
      expect(answer.event.data).toMatchObject({ reason: 'invalid-plan' });
      expect(answer.event.data.message).toMatch(message);
    }
    const show = await inst.run('plan-show', { domain: 'shop' });
    expect(show.end.event.data).toMatchObject({ reason: 'no-plan' });
    const file = path.join(inst.dataDir, 'bad-plan.yaml');
    await writeFile(file, cases[0][0]);
    const refused = await runJssctl(inst.cliEnv, ['plan', 'apply', file]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/^jssctl: rejected \(invalid-plan\): recovery plan refused: line 4: VM "nope"/);
  });

  it('brings three groups up in order with the delay, waits at approve until plan-continue, calls the webhook, reports every step', async () => {
    const document = `domain: shop
groups:
  - name: data
    vms: [db]
    after:
      - approve: { timeoutSeconds: 300 }
  - name: logic
    vms: [app]
    before:
      - webhook: { url: "${hook.url}" }
    after:
      - check: { timeoutSeconds: 20 }
  - name: front
    delaySeconds: 3
    vms: [web]
    before:
      - wait: 1
`;
    // through jssctl, as a user applies and reads a plan
    const file = path.join(inst.dataDir, 'shop-plan.yaml');
    await writeFile(file, document);
    const applied = await runJssctl(inst.cliEnv, ['plan', 'apply', file]);
    expect(applied).toMatchObject({ code: 0, out: 'recovery plan of domain shop: version 1 (3 group(s))\n' });
    const shown = await runJssctl(inst.cliEnv, ['plan', 'show', 'shop']);
    expect(shown.out).toMatch(new RegExp(`^# domain shop, version 1 of 1, applied by ${inst.publisherUser} at `));
    expect(shown.out.split('\n').slice(1).join('\n')).toBe(document);

    const id = await inst.publish('failover', { domain: 'shop' });
    const started = await suite.waitForStep(id, 'data.after.1', 'plan.step-started');
    const taskId = started.event.subject!;
    expect(started.event.data.expiresAt).toEqual(expect.any(String));
    // paused (the approve's start and the task's pause are one move): the next groups are not up;
    // that they stay so until plan-continue or the step's timeout is the deciders' (plan.decider.spec.ts)
    expect((await inst.tasks.fields(taskId, 'state'))?.state).toBe('awaiting-approval');
    expect(await inst.platform.getVm('recovery', 'app')).toBeNull();
    expect(hook.received).toEqual([]);

    expect(await runJssctl(inst.cliEnv, ['plan-continue', taskId])).toMatchObject({
      code: 0,
      out: `task ${taskId}: approved; its recovery plan goes on\n`,
    });
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 60_000);
    expect(end.key).toBe('task.completed');

    const task = (await inst.tasks.get(taskId))!;
    const at = Object.fromEntries(task.recovered!.map((r) => [r.vm, Date.parse(r.poweredOnAt)]));
    expect(at.db).toBeLessThan(at.app);
    expect(at.app).toBeLessThan(at.web);
    expect(at.web - at.app).toBeGreaterThanOrEqual(3000);
    const approved = (await suite.waitForStep(id, 'data.after.1', 'plan.step-completed')).at;
    expect(at.app).toBeGreaterThan(approved);

    expect(hook.received).toHaveLength(1);
    expect(hook.received[0].body).toMatchObject({
      taskId,
      operation: 'failover',
      domain: 'shop',
      planVersion: 1,
      step: { stepId: 'logic.before.1', group: 'logic', phase: 'before' },
    });
    expect((hook.received[0].body.vms as Array<{ vm: string }>).map((v) => v.vm)).toEqual(['db']);
    expect(hook.received[0].step).toBe(`${taskId}/logic.before.1`);

    const report = (await inst.events.waitFor(id, ['task.report'])).event.data as {
      plan: { version: number; steps: Array<{ stepId: string; kind: string; status: string; startedAt: string; endedAt: string }> };
    };
    expect(report.plan.version).toBe(1);
    expect(report.plan.steps.map((s) => [s.stepId, s.kind, s.status])).toEqual([
      ['data.power-on', 'power-on', 'completed'],
      ['data.after.1', 'approve', 'completed'],
      ['logic.before.1', 'webhook', 'completed'],
      ['logic.power-on', 'power-on', 'completed'],
      ['logic.after.1', 'check', 'completed'],
      ['front.before.1', 'wait', 'completed'],
      ['front.power-on', 'power-on', 'completed'],
    ]);
    for (const s of report.plan.steps) expect(Date.parse(s.endedAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
    const wait = report.plan.steps.find((s) => s.kind === 'wait')!;
    expect(Date.parse(wait.endedAt) - Date.parse(wait.startedAt)).toBeGreaterThanOrEqual(1000);
    expect(inst.events.of(id, 'plan.step-completed')).toHaveLength(7);
    const show = await runJssctl(inst.cliEnv, ['tasks', 'show', taskId]);
    expect(show.out).toMatch(/recovery plan version 1:\n/);
    expect(show.out).toMatch(/\nlogic\.before\.1 +webhook +completed +20/);
    expect(await inst.parkedDeadLetters()).toBe(0); // the plan run sent nothing its own checks refuse
  });

  it('a failing webhook fails the task, and nothing it created is left; jssctl shows its URL without raw control characters', async () => {
    await suite.removeRecovered();
    hook.status = 500;
    hook.received.length = 0;
    // the URL as written carries terminal escapes (YAML's escapes ESC, BEL, CSI): retitle the window, clear the screen
    await suite.apply(`domain: shop
groups:
  - name: data
    vms: [db]
  - name: logic
    vms: [app, web]
    before:
      - webhook: { url: "${hook.url}?t=\\e]0;pwned\\a\\e[2J\\x9b", retries: 1, timeoutSeconds: 2 }
`);
    const { id, end } = await inst.run('failover', { domain: 'shop' });
    expect(end.key).toBe('task.failed');
    expect(end.event.data).toMatchObject({ reason: 'plan-step-failed' });
    expect(end.event.data.message).toMatch(/logic\.before\.1: webhook: .*HTTP 500/);
    expect(end.event.data.message).toContain('\u001b]0;pwned\u0007');
    const taskId = end.event.subject!;
    const shown = await runJssctl(inst.cliEnv, ['tasks', 'show', taskId]);
    expect(shown.out).toContain('?t=\\x1b]0;pwned\\x07\\x1b[2J\\x9b answered HTTP 500');
    expect(shown.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const exact = await runJssctl(inst.cliEnv, ['tasks', 'show', taskId, '--json']);
    expect(JSON.parse(exact.out).error.message).toBe(end.event.data.message); // --json stays exact
    const failed = inst.events.of(id, 'plan.step-failed');
    expect(failed.map((e) => [e.event.data.stepId, e.event.data.continued])).toEqual([['logic.before.1', false]]);
    expect(hook.received).toHaveLength(2); // one retry
    expect(await suite.leftAtRecovery()).toEqual([]);
    expect(inst.events.of(id, 'vm.deleted').map((e) => e.event.data.name)).toContain('db');
    hook.status = 200;
  });

  it('an approve that times out continues or fails, as the step says; plan: false ignores the plan', async () => {
    const plan = (onTimeout: string) => `domain: shop
groups:
  - name: data
    vms: [db]
    after:
      - approve: { timeoutSeconds: 2, onTimeout: ${onTimeout} }
`;
    await suite.removeRecovered();
    await suite.apply(plan('continue'));
    const goOn = await inst.run('failover', { domain: 'shop', vms: ['db'] });
    expect(goOn.end.key).toBe('task.completed');
    const completed = inst.events.of(goOn.id, 'plan.step-completed').find((e) => e.event.data.kind === 'approve');
    expect(completed?.event.data.timedOut).toBe(true);

    await suite.removeRecovered();
    await suite.apply(plan('fail'));
    const stop = await inst.run('failover', { domain: 'shop', vms: ['db'] });
    expect(stop.end.key).toBe('task.failed');
    expect(stop.end.event.data.message).toMatch(/data\.after\.1: no plan-continue within 2s/);
    expect(await suite.leftAtRecovery()).toEqual([]);

    const ignored = await inst.run('failover', { domain: 'shop', vms: ['db'], plan: false });
    expect(ignored.end.key).toBe('task.completed');
    expect(inst.events.of(ignored.id, 'plan.step-started')).toEqual([]);
    const continueEnded = await inst.run('plan-continue', { taskId: ignored.end.event.subject! });
    expect(continueEnded.end.event.data).toMatchObject({ reason: 'task-ended' });
  });

  it('a re-IP without a network is checked when run, against the target network: outside its range the failover is refused invalid-plan', async () => {
    await suite.removeRecovered();
    const applied = await suite.apply('domain: shop\ngroups:\n  - name: data\n    vms:\n      - name: db\n        ip: 10.22.0.5\n');
    expect(applied.key).toBe('plan.applied'); // no network named: the target's is known only when run
    const { end } = await inst.run('failover', { domain: 'shop', vms: ['db'] });
    expect(end.key).toBe('command.rejected');
    expect(end.event.data).toMatchObject({ reason: 'invalid-plan' });
    expect(end.event.data.message).toMatch(
      /^recovery plan version \d+: VM "db" may not be re-addressed: 10\.22\.0\.5 is outside network "recovery-net" \(10\.20\.0\.0\/24\)$/,
    );
    expect(await suite.leftAtRecovery()).toEqual([]);
  });
});
