/** What a step of a recovery plan does; power-on is a group's VMs coming up (the boot of the group). */
export const PLAN_STEP_KINDS = ['wait', 'approve', 'webhook', 'check', 'power-on'] as const;
export type PlanStepKind = (typeof PLAN_STEP_KINDS)[number];
