import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Installation, MiB } from '@jss/testing';

/** A webhook receiver: every POST's body and when it came; answers `status`. */
export class Hook {
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
        // timed on purpose: a slow webhook (its answer in flight when a planner dies, or past its timeout)
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

/** The VMs of the domain `shop` the recovery-plan suites recover. */
export const VMS = ['db', 'app', 'web'];

/** An installation for the recovery-plan suites: the services (and the replicator), a webhook receiver webhooks may call, domain `shop`. */
export class PlanSuite {
  private constructor(
    readonly inst: Installation,
    readonly hook: Hook,
  ) {}

  static async start(): Promise<PlanSuite> {
    // webhooks may go to this host only (the Hook listens on it)
    const inst = await Installation.start(
      { planner: 1, provisioner: 1, rehydrator: 1, janitor: 1, replicator: 1 },
      { JSS_WEBHOOK_HOSTS: '127.0.0.1' },
      { brokerUsers: 'shipped' }, // the alias bomb of issue 34 looped under these users
    );
    const hook = await Hook.start();
    await inst.writer.writePoint(
      'shop',
      VMS.map((name, i) => ({ name, source: { sizeBytes: MiB, seed: i + 1 } })),
    );
    return new PlanSuite(inst, hook);
  }

  async stop(): Promise<void> {
    await this.hook.close();
    await this.inst.stop();
  }

  /** plan-apply: its answer (plan.applied or command.rejected). */
  async apply(document: string) {
    const id = await this.inst.publish('plan-apply', { domain: 'shop', document });
    return this.inst.events.waitFor(id, ['plan.applied', 'command.rejected']);
  }

  /** What is at the recovery site of the domain's VMs and of any temporary. */
  async leftAtRecovery(): Promise<string[]> {
    const vms = await this.inst.platform.listVms({ site: 'recovery' });
    return vms.filter((v) => VMS.includes(v.name) || v.name.startsWith('jss-')).map((v) => v.name);
  }

  async removeRecovered(): Promise<void> {
    for (const vm of VMS) await this.inst.platform.deleteVm('recovery', vm);
  }

  /** The event of a plan step of a command's task. */
  waitForStep(commandId: string, stepId: string, key: string, timeoutMs = 30_000) {
    return this.inst.events.waitForMatch(commandId, [key], (d) => d.stepId === stepId, timeoutMs);
  }
}
