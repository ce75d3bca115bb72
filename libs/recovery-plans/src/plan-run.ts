import type { PlanStepSpec, RecoveryPlan } from './schema';

/** A group's VMs powered on, `delaySeconds` after the group before was up. */
export interface PowerOnSpec {
  kind: 'power-on';
  vms: string[];
  delaySeconds: number;
  continueOnFailure: false;
}

/** One thing a task does for its plan, in order: a group's steps before, its power-on, its steps after. */
export type PlanStep = { stepId: string; group: string; phase: 'before' | 'boot' | 'after' } & (PlanStepSpec | PowerOnSpec);

/** The plan a task runs, fixed when it is accepted (a later version changes no running task). */
export interface RecoveryPlanRun {
  version: number;
  rtoObjectiveSeconds?: number;
  steps: PlanStep[];
}

/** The group of the task's VMs that no group names: powered on last, with no steps (not a valid group name, so it clashes with none). */
export const REST_GROUP = '(rest)';

/**
 * The steps of a plan for a task of some of the domain's VMs: a group with none of them is left
 * out, steps and all; VMs in no group come up last.
 */
export function planStepsOf(plan: RecoveryPlan, vms: readonly string[]): PlanStep[] {
  const grouped = new Set(plan.groups.flatMap((g) => g.vms.map((v) => v.name)));
  const rest = vms.filter((vm) => !grouped.has(vm));
  const groups = [
    ...plan.groups.map((g) => ({ ...g, vms: g.vms.map((v) => v.name).filter((vm) => vms.includes(vm)) })),
    { name: REST_GROUP, delaySeconds: 0, vms: rest, before: [], after: [] },
  ].filter((g) => g.vms.length);
  return groups.flatMap((g) => [
    ...g.before.map((s, i) => ({ stepId: `${g.name}.before.${i + 1}`, group: g.name, phase: 'before' as const, ...s })),
    {
      stepId: `${g.name}.power-on`,
      group: g.name,
      phase: 'boot' as const,
      kind: 'power-on' as const,
      vms: g.vms,
      delaySeconds: g.delaySeconds,
      continueOnFailure: false as const,
    },
    ...g.after.map((s, i) => ({ stepId: `${g.name}.after.${i + 1}`, group: g.name, phase: 'after' as const, ...s })),
  ]);
}

/** The network map the plan gives the task's VMs (a command's own networkMap wins). */
export function networkMapOf(plan: RecoveryPlan): Record<string, { network?: string; ip?: string }> {
  return Object.fromEntries(
    plan.groups.flatMap((g) => g.vms.filter((v) => v.network || v.ip).map((v) => [v.name, { network: v.network, ip: v.ip }])),
  );
}

/** Whether a power-on is the task's last (a failback powers its copies off then). */
export function isLastPowerOn(task: { spec: { recoveryPlan?: RecoveryPlanRun } }, powerOn: Pick<PlanStep, 'stepId'>): boolean {
  const last = task.spec.recoveryPlan?.steps.filter((a) => a.kind === 'power-on').at(-1);
  return !last || last.stepId === powerOn.stepId;
}

/** The waits a recovery plan's steps and a boot order add: wait steps and group delays (approvals wait for a person: not counted). */
export function waitSecondsOf(steps: readonly PlanStep[] = [], bootOrder: ReadonlyArray<{ delaySeconds: number }> = []): number {
  const plan = steps.reduce((n, s) => n + (s.kind === 'wait' ? s.seconds : s.kind === 'power-on' ? s.delaySeconds : 0), 0);
  return plan + bootOrder.reduce((n, g) => n + g.delaySeconds, 0);
}
