// The kinds of step a recovery plan has: the one list the document schema, the parser, the flow,
// the CLI and the docs derive from. Every switch over a kind ends in exhaustive(kind), every table
// keyed by kind is a Record over the list: a kind added here and not handled everywhere does not
// compile (test/architecture/plan-step-kinds.types.ts shows it).

/** What a step of a recovery plan does; power-on is a group's VMs coming up (the boot of the group). */
export const PLAN_STEP_KINDS = ['wait', 'approve', 'webhook', 'check', 'power-on'] as const;
export type PlanStepKind = (typeof PLAN_STEP_KINDS)[number];

/** The kinds a plan document holds, one key each (`- wait: 10`); power-on is the group itself, never written. */
export type WrittenStepKind = Exclude<PlanStepKind, 'power-on'>;
export const WRITTEN_STEP_KINDS = PLAN_STEP_KINDS.filter((k): k is WrittenStepKind => k !== 'power-on');

/** The end of a switch over a closed set of kinds: a kind the cases above miss leaves `kind` not `never`, and does not compile. */
export function exhaustive(kind: never): never {
  throw new Error(`unhandled kind: ${JSON.stringify(kind)}`);
}
