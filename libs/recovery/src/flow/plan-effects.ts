import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import { redactSecrets } from '@jss/config';
import { REASONS, TIMING, exhaustive, retryOptionsOf } from '@jss/contract';
import { Platform, vmUp } from '@jss/platform';
import { PlanStep, WebhookHosts, ownAddresses, refusedAddress } from '@jss/recovery-plans';
import { Task, TaskError } from '@jss/tasks';

type Webhook = Extract<PlanStep, { kind: 'webhook' }>;
type Check = Extract<PlanStep, { kind: 'check' }>;
/** The steps that act on the world: run in the background under a lease, not decided at once. */
export type EffectStep = Webhook | Check;

const { webhook: WEBHOOK, check: CHECK, planEffect } = TIMING;

/** How long a step's run may take at most: its lease (another replica re-runs it once the lease is past). */
export function leaseMsOf(step: EffectStep): number {
  switch (step.kind) {
    case 'check':
      return step.timeoutSeconds * 1000 + planEffect.leaseMarginMs;
    case 'webhook':
      return (step.retries + 1) * (step.timeoutSeconds * 1000 + WEBHOOK.backoff.maxMs) + planEffect.leaseMarginMs;
    default:
      return exhaustive(step);
  }
}

/** The body a webhook step POSTs: the task and the group it runs for. */
function webhookBody(task: Task, step: PlanStep) {
  return {
    taskId: task.id,
    commandId: task.commandId,
    operation: task.operation,
    domain: task.domain,
    requestedBy: task.requestedBy ?? null,
    recoveryPoint: task.point,
    planVersion: task.spec.recoveryPlan?.version ?? null,
    step: { stepId: step.stepId, group: step.group, phase: step.phase },
    /** the VMs up so far (the group's, once its power-on is past) */
    vms: (task.recovered ?? []).map(({ poweredOnAt: _p, ...v }) => v),
  };
}

/** The webhook and check steps of recovery plans: the effects on the world, run by the planner. */
export class PlanEffects {
  constructor(
    private readonly platform: Pick<Platform, 'getVm'>,
    /** JSS_WEBHOOK_HOSTS, checked again at the call: a plan may have been applied before the list was set */
    private readonly webhookHosts: WebhookHosts | null = null,
    /** why a check may not connect to an address (loopback, the planner's own, ...); a spec that listens on loopback lifts it */
    private readonly addressRefusal: (ip: string) => string | null = (ip) => refusedAddress(ip, ownAddresses()),
  ) {}

  /** null when the step passed, else why not. */
  run(task: Task, step: EffectStep): Promise<TaskError | null> {
    switch (step.kind) {
      case 'webhook':
        return this.webhook(task, step);
      case 'check':
        return this.check(task, step);
      default:
        return exhaustive(step);
    }
  }

  /**
   * POST the body; 2xx within the timeout passes. 5xx, 408, 429 and errors are retried; other
   * answers are not, a redirect included: it is not followed (it could lead past JSS_WEBHOOK_HOSTS).
   */
  private async webhook(task: Task, step: Webhook): Promise<TaskError | null> {
    if (this.webhookHosts && !this.webhookHosts.allows(step.url)) {
      return { reason: REASONS.planStepFailed, message: `webhook: ${this.webhookHosts.refusal(step.url)}; not called` };
    }
    const body = JSON.stringify(webhookBody(task, step));
    try {
      await pRetry(
        async () => {
          const res = await fetch(step.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-jss-step': `${task.id}/${step.stepId}` },
            body,
            redirect: 'manual',
            signal: AbortSignal.timeout(step.timeoutSeconds * 1000),
          });
          await res.body?.cancel();
          if (res.ok) return;
          const error = new Error(`${redactSecrets(step.url)} answered HTTP ${res.status}`);
          throw res.status < 500 && res.status !== 408 && res.status !== 429 ? new AbortError(error) : error;
        },
        { retries: step.retries, ...retryOptionsOf(WEBHOOK.backoff) },
      );
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { reason: REASONS.planStepFailed, message: `webhook: ${redactSecrets(message)} (${step.retries + 1} attempt(s) at most)` };
    }
  }

  /** Every VM of the group powered on with an address (and, with a port, that port answering) within the timeout. */
  private async check(task: Task, step: Check): Promise<TaskError | null> {
    const vms = (task.recovered ?? []).filter((r) => groupVms(task, step).includes(r.vm));
    const deadline = Date.now() + step.timeoutSeconds * 1000;
    for (;;) {
      const failing = await this.firstFailing(vms, step.port);
      if (!failing) return null;
      if (Date.now() + CHECK.everyMs > deadline) {
        return { reason: REASONS.planStepFailed, message: `check: ${failing} (within ${step.timeoutSeconds}s)` };
      }
      await sleep(CHECK.everyMs);
    }
  }

  private async firstFailing(vms: NonNullable<Task['recovered']>, port: number | null): Promise<string | null> {
    for (const r of vms) {
      const up = vmUp(await this.platform.getVm(r.site, r.name));
      if (up.problem !== null) return `VM ${r.name} is ${up.problem}`;
      const { ip } = up;
      if (port === null) continue;
      // only the address the platform reports for the VM, and never one that would probe the planner's host
      const refused = this.addressRefusal(ip);
      if (refused) return `VM ${r.name}: not connecting: ${refused}`;
      if (!(await tcpAnswers(ip, port))) return `VM ${r.name}: nothing answers on ${ip}:${port}`;
    }
    return null;
  }
}

/** The VMs of the group a step belongs to (from the group's power-on). */
function groupVms(task: Task, step: PlanStep): string[] {
  const boot = task.spec.recoveryPlan?.steps.find((a) => a.group === step.group && a.kind === 'power-on');
  return boot?.kind === 'power-on' ? boot.vms : [];
}

/** Whether a TCP connection to host:port opens within the check's connect timeout. */
function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: CHECK.connectTimeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
