import { createServer } from 'node:http';
import { AddressInfo, Server, createServer as createTcpServer } from 'node:net';
import { PlanStep, WebhookHosts } from '@jss/recovery-plans';
import { Task } from '@jss/tasks';
import { SimFixture, simFixture, vmSpec } from '@jss/testing';
import { PlanEffects } from './plan-effects';

const listen = async <S extends Server | ReturnType<typeof createServer>>(server: S) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

/** The webhook and check steps against a real HTTP server, a real TCP port and the simulated platform. */
describe('recovery plan effects', () => {
  let sim: SimFixture;
  let effects: PlanEffects;
  const seen: number[] = [];
  let status = 200;
  const http = createServer((req, res) => {
    seen.push(Date.now());
    // a redirect points at this server's /followed: a request there means it was followed
    if (req.url === '/followed') followed++;
    req.resume().on('end', () => res.writeHead(status, status === 307 ? { location: '/followed' } : {}).end());
  });
  let followed = 0;
  const tcp = createTcpServer((s) => s.end());
  let httpPort = 0;
  let tcpPort = 0;

  beforeAll(async () => {
    sim = await simFixture();
    await sim.platform.seed();
    // the port's listener is on loopback, which a check refuses unless told (the next test)
    effects = new PlanEffects(sim.platform, null, () => null);
    httpPort = await listen(http);
    tcpPort = await listen(tcp);
    // a recovered VM whose address is this host's, so that a port on it can be tried
    await sim.platform.createVm(vmSpec('web', { nics: [{ network: 'recovery-static-net', ip: '127.0.0.1' }], powerOn: true }));
  });
  afterAll(async () => {
    http.closeAllConnections();
    http.close();
    tcp.close();
    await sim.close();
  });

  const powerOn: PlanStep = {
    stepId: 'front.power-on',
    group: 'front',
    phase: 'boot',
    kind: 'power-on',
    vms: ['web'],
    delaySeconds: 0,
    continueOnFailure: false,
  };
  const task = (actions: PlanStep[]) =>
    ({
      id: 'task-1',
      commandId: 'c-1',
      operation: 'failover',
      domain: 'shop',
      point: { id: 'rp-1', time: '2026-01-01T00:00:00Z' },
      recovered: [{ vm: 'web', name: 'web', site: 'recovery', ip: '127.0.0.1', poweredOnAt: new Date().toISOString() }],
      spec: { recoveryPlan: { version: 1, steps: [powerOn, ...actions] } },
    }) as unknown as Task;
  const check = (port: number | null): PlanStep => ({
    stepId: 'front.after.1',
    group: 'front',
    phase: 'after',
    kind: 'check',
    port,
    timeoutSeconds: 1,
    continueOnFailure: false,
  });
  const webhook = (retries: number): PlanStep => ({
    stepId: 'front.before.1',
    group: 'front',
    phase: 'before',
    kind: 'webhook',
    url: `http://127.0.0.1:${httpPort}/hook`,
    timeoutSeconds: 2,
    retries,
    continueOnFailure: false,
  });
  const run = (a: PlanStep, by = effects) => by.run(task([a]), a as Parameters<PlanEffects['run']>[1]);

  it('check: powered on with an address, and the port answering', async () => {
    expect(await run(check(null))).toBeNull();
    expect(await run(check(tcpPort))).toBeNull();
    // a port that was listened on a moment ago, closed now
    const gone = createTcpServer();
    const closed = await listen(gone);
    await new Promise((resolve) => gone.close(resolve));
    expect((await run(check(closed)))?.message).toMatch(/check: VM web: nothing answers on 127\.0\.0\.1:\d+ \(within 1s\)/);
  });

  it('check: a VM whose address is loopback (or the planner’s own) is not connected to', async () => {
    const message = (await run(check(tcpPort), new PlanEffects(sim.platform)))?.message;
    expect(message).toMatch(/check: VM web: not connecting: 127\.0\.0\.1 is a loopback address/);
  });

  it('check: a VM powered off fails', async () => {
    await sim.platform.powerOff('recovery', 'web');
    expect((await run(check(null)))?.message).toMatch(/VM web is not powered on/);
    await sim.platform.powerOn('recovery', 'web');
  });

  it('webhook: 2xx passes; 5xx is retried; a 4xx is not', async () => {
    status = 204;
    expect(await run(webhook(2))).toBeNull();
    seen.length = 0;
    status = 500;
    expect((await run(webhook(2)))?.message).toMatch(/HTTP 500/);
    expect(seen).toHaveLength(3);
    seen.length = 0;
    status = 404;
    expect((await run(webhook(2)))?.message).toMatch(/HTTP 404/);
    expect(seen).toHaveLength(1);
  });

  it('webhook: a redirect is an answer, not followed and not retried', async () => {
    seen.length = 0;
    status = 307;
    expect((await run(webhook(2)))?.message).toMatch(/HTTP 307/);
    expect([seen.length, followed]).toEqual([1, 0]);
  });

  it('webhook: a host JSS_WEBHOOK_HOSTS does not list is not called (a plan applied before the list was set)', async () => {
    seen.length = 0;
    status = 204;
    const listed = new PlanEffects(sim.platform, WebhookHosts.parse('hooks.example.com'));
    expect(await run(webhook(2), listed)).toEqual({
      reason: 'plan-step-failed',
      message: 'webhook: webhook host "127.0.0.1" is not in JSS_WEBHOOK_HOSTS (hooks.example.com); not called',
    });
    expect(seen).toHaveLength(0);
    expect(await run(webhook(2), new PlanEffects(sim.platform, WebhookHosts.parse('127.0.0.1')))).toBeNull();
    expect(seen).toHaveLength(1);
  });
});
