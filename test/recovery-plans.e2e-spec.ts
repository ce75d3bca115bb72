import { writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { Installation, MiB, runJssctl } from '@jss/testing';
import { Protection } from '../apps/replicator/src/protection';

/** A webhook receiver: every POST's body and when it came; answers `status`. */
class Hook {
  readonly received: Array<{ body: Record<string, unknown>; at: number; step: string | undefined }> = [];
  status = 200;
  /** answer this much later */
  delayMs = 0;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Hook> {
    const server = createServer();
    const hook = new Hook(server);
    server.on('request', (req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        hook.received.push({ body: JSON.parse(text), at: Date.now(), step: req.headers['x-jss-step'] as string | undefined });
        setTimeout(() => res.writeHead(hook.status).end(), hook.delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return hook;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('recovery plans', () => {
  let inst: Installation;
  let hook: Hook;
  const VMS = ['db', 'app', 'web'];

  beforeAll(async () => {
    // webhooks may go to this host only (the Hook below listens on it)
    inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1, replicator: 1 },
      { JSS_WEBHOOK_HOSTS: '127.0.0.1' },
    );
    hook = await Hook.start();
    await inst.writer.writePoint(
      'shop',
      VMS.map((name, i) => ({ name, source: { sizeBytes: MiB, seed: i + 1 } })),
    );
  });
  afterAll(async () => {
    await hook?.close();
    await inst?.stop();
  });

  /** plan-apply: its answer (plan.applied or command.rejected). */
  async function apply(document: string) {
    const id = await inst.publish('plan-apply', { domain: 'shop', document });
    return inst.events.waitFor(id, ['plan.applied', 'command.rejected']);
  }

  /** What is at the recovery site of the domain's VMs and of any temporary. */
  const leftAtRecovery = async () =>
    (await inst.platform.listVms({ site: 'recovery' })).filter((v) => VMS.includes(v.name) || v.name.startsWith('jss-')).map((v) => v.name);

  const removeRecovered = async () => {
    for (const vm of VMS) await inst.platform.deleteVm('recovery', vm);
  };

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
    ];
    for (const [document, message] of cases) {
      const answer = await apply(document);
      expect(answer.key).toBe('command.rejected');
      expect(answer.event.data).toMatchObject({ reason: 'invalid-plan' });
      expect(answer.event.data.message).toMatch(message);
    }
    const show = await inst.run('plan-show', { domain: 'shop' });
    expect(show.end.event.data).toMatchObject({ reason: 'no-plan' });
    const file = path.join(inst.dataDir, 'bad-plan.yaml');
    await writeFile(file, cases[0][0]);
    const refused = await runJssctl(inst.env, ['plan', 'apply', file]);
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
    const applied = await runJssctl(inst.env, ['plan', 'apply', file]);
    expect(applied).toMatchObject({ code: 0, out: 'recovery plan of domain shop: version 1 (3 group(s))\n' });
    const shown = await runJssctl(inst.env, ['plan', 'show', 'shop']);
    expect(shown.out).toMatch(/^# domain shop, version 1 of 1, applied by guest at /);
    expect(shown.out.split('\n').slice(1).join('\n')).toBe(document);

    const id = await inst.publish('failover', { domain: 'shop' });
    const started = await waitForStep(id, 'data.after.1', 'plan.step-started');
    const taskId = started.event.subject!;
    expect(started.event.data.expiresAt).toEqual(expect.any(String));
    // paused: the next groups are not up, and stay so while nobody approves
    await new Promise((r) => setTimeout(r, 1500));
    expect((await inst.tasks.fields(taskId, 'state'))?.state).toBe('awaiting-approval');
    expect(await inst.platform.getVm('recovery', 'app')).toBeNull();
    expect(hook.received).toEqual([]);

    expect(await runJssctl(inst.env, ['plan-continue', taskId])).toMatchObject({
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
    const approved = (await waitForStep(id, 'data.after.1', 'plan.step-completed')).at;
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
    const show = await runJssctl(inst.env, ['tasks', 'show', taskId]);
    expect(show.out).toMatch(/recovery plan version 1:\n/);
    expect(show.out).toMatch(/\nlogic\.before\.1 +webhook +completed +20/);
  });

  it('a failing webhook fails the task, and nothing it created is left', async () => {
    await removeRecovered();
    hook.status = 500;
    hook.received.length = 0;
    await apply(`domain: shop
groups:
  - name: data
    vms: [db]
  - name: logic
    vms: [app, web]
    before:
      - webhook: { url: "${hook.url}", retries: 1, timeoutSeconds: 2 }
`);
    const { id, end } = await inst.run('failover', { domain: 'shop' });
    expect(end.key).toBe('task.failed');
    expect(end.event.data).toMatchObject({ reason: 'plan-step-failed' });
    expect(end.event.data.message).toMatch(/logic\.before\.1: webhook: .*HTTP 500/);
    const failed = inst.events.of(id, 'plan.step-failed');
    expect(failed.map((e) => [e.event.data.stepId, e.event.data.continued])).toEqual([['logic.before.1', false]]);
    expect(hook.received).toHaveLength(2); // one retry
    expect(await leftAtRecovery()).toEqual([]);
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
    await removeRecovered();
    await apply(plan('continue'));
    const goOn = await inst.run('failover', { domain: 'shop', vms: ['db'] });
    expect(goOn.end.key).toBe('task.completed');
    const completed = inst.events.of(goOn.id, 'plan.step-completed').find((e) => e.event.data.kind === 'approve');
    expect(completed?.event.data.timedOut).toBe(true);

    await removeRecovered();
    await apply(plan('fail'));
    const stop = await inst.run('failover', { domain: 'shop', vms: ['db'] });
    expect(stop.end.key).toBe('task.failed');
    expect(stop.end.event.data.message).toMatch(/data\.after\.1: no plan-continue within 2s/);
    expect(await leftAtRecovery()).toEqual([]);

    const ignored = await inst.run('failover', { domain: 'shop', vms: ['db'], plan: false });
    expect(ignored.end.key).toBe('task.completed');
    expect(inst.events.of(ignored.id, 'plan.step-started')).toEqual([]);
    const continueEnded = await inst.run('plan-continue', { taskId: ignored.end.event.subject! });
    expect(continueEnded.end.event.data).toMatchObject({ reason: 'task-ended' });
  });

  it('the planner killed during a wait, at an approve and during a webhook: a new planner goes on from where the plan was', async () => {
    await removeRecovered();
    hook.received.length = 0;
    hook.delayMs = 4000;
    await apply(`domain: shop
groups:
  - name: data
    vms: [db]
    after:
      - wait: 3
  - name: logic
    vms: [app]
    before:
      - approve: { timeoutSeconds: 300 }
      - webhook: { url: "${hook.url}", retries: 0, timeoutSeconds: 2 }
`);
    const id = await inst.publish('failover', { domain: 'shop', vms: ['db', 'app'] });
    const restartPlanner = async () => {
      const planner = inst.services.find((x) => x.name.startsWith('planner') && x.child.exitCode === null && x.child.signalCode === null)!;
      planner.child.kill('SIGKILL');
      await inst.add({ planner: 1 });
    };
    await waitForStep(id, 'data.after.1', 'plan.step-started');
    await restartPlanner();
    const approve = await waitForStep(id, 'logic.before.1', 'plan.step-started', 30_000);
    await restartPlanner();
    await inst.publish('plan-continue', { taskId: approve.event.subject! });
    // the webhook's first POST is in flight when its planner dies; the next planner posts again once its lease is past
    while (hook.received.length === 0) await new Promise((r) => setTimeout(r, 50));
    await restartPlanner();
    hook.delayMs = 0;
    const end = await inst.events.waitFor(id, ['task.completed', 'task.failed'], 90_000);
    expect(end.key).toBe('task.completed');
    expect(hook.received.length).toBeGreaterThanOrEqual(2);
    expect(new Set(hook.received.map((r) => r.step))).toEqual(new Set([`${approve.event.subject}/logic.before.2`]));
    const report = (await inst.events.waitFor(id, ['task.report'])).event.data as {
      plan: { steps: Array<{ stepId: string; status: string }> };
    };
    expect(report.plan.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['data.power-on', 'completed'],
      ['data.after.1', 'completed'],
      ['logic.before.1', 'completed'],
      ['logic.before.2', 'completed'],
      ['logic.power-on', 'completed'],
    ]);
    expect(inst.events.of(id, 'plan.step-completed').filter((e) => e.event.data.stepId === 'data.after.1')).toHaveLength(1);
  });

  it('a planned failover runs the plan with its network map; a test failover runs its groups on the isolated network', async () => {
    const protection = new Protection(inst.platform, inst.writer, inst.replica);
    await protection.protect('pay', [
      { name: 'pay-db', source: { sizeBytes: MiB, seed: 7 } },
      { name: 'pay-app', source: { sizeBytes: MiB, seed: 8 } },
    ]);
    const id = await inst.publish('plan-apply', {
      domain: 'pay',
      document: `domain: pay
groups:
  - name: data
    vms:
      - name: pay-db
        network: recovery-static-net
        ip: 10.30.0.5
  - name: logic
    delaySeconds: 2
    vms: [pay-app]
    after:
      - check: {}
`,
    });
    expect((await inst.events.waitFor(id, ['plan.applied', 'command.rejected'])).key).toBe('plan.applied');

    const test = await inst.run('test-failover', { domain: 'pay' });
    expect(test.end.key).toBe('task.ready');
    const testTask = (await inst.tasks.get(test.end.event.subject!))!;
    const testAt = Object.fromEntries(testTask.recovered!.map((r) => [r.vm, Date.parse(r.poweredOnAt)]));
    expect(testAt['pay-app'] - testAt['pay-db']).toBeGreaterThanOrEqual(2000);
    const tvm = await inst.platform.getVm('recovery', testTask.recovered!.find((r) => r.vm === 'pay-db')!.name);
    expect(tvm?.nics.map((n) => n.network)).toEqual(['recovery-test-net']);
    await inst.publish('test-cleanup', { taskId: testTask.id });
    expect((await inst.events.waitFor(test.id, ['task.completed', 'task.failed'])).key).toBe('task.completed');
    expect(await inst.platform.getVm('recovery', tvm!.name)).toBeNull();

    const planned = await inst.publish('planned-failover', { domain: 'pay' });
    const end = await inst.events.waitFor(planned, ['task.completed', 'task.failed', 'command.rejected'], 90_000);
    expect(end.key).toBe('task.completed');
    const db = await inst.platform.getVm('recovery', 'pay-db');
    expect(db?.nics.map((n) => [n.network, n.ip])).toEqual([['recovery-static-net', '10.30.0.5']]);
    const task = (await inst.tasks.get(end.event.subject!))!;
    const at = Object.fromEntries(task.recovered!.map((r) => [r.vm, Date.parse(r.poweredOnAt)]));
    expect(at['pay-app'] - at['pay-db']).toBeGreaterThanOrEqual(2000);
    expect(inst.events.of(planned, 'plan.step-completed').map((e) => e.event.data.stepId)).toEqual([
      'data.power-on',
      'logic.power-on',
      'logic.after.1',
    ]);
  });

  /** The event of a plan step of a command's task. */
  async function waitForStep(commandId: string, stepId: string, key: string, timeoutMs = 30_000) {
    for (let i = 0; i < timeoutMs / 50; i++) {
      const hit = inst.events.of(commandId, key).find((e) => e.event.data.stepId === stepId);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `no ${key} of ${stepId}; seen: ${inst.events
        .of(commandId)
        .map((e) => e.key)
        .join(', ')}`,
    );
  }
});
