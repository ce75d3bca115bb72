// A type test, compiled by `npm run lint` (tsc --noEmit) and never run: each `@ts-expect-error`
// below must meet an error, or tsc fails on the unused directive. It shows that a plan-step kind
// that is not handled everywhere does not compile.
import { PLAN_STEP_KINDS, PlanStepKind, WrittenStepKind, exhaustive } from '@jss/contract';
import { PlanStep, PlanStepSpec, STEP_SCHEMAS } from '@jss/recovery-plans';
import { STEP_STARTED } from '../../apps/jssctl/src/plan-step-lines';

/** A switch over the kinds that forgets one: its `exhaustive()` does not compile. */
export function forgetful(kind: PlanStepKind): string {
  switch (kind) {
    case 'wait':
    case 'approve':
    case 'webhook':
    case 'check':
      return kind;
    default:
      // @ts-expect-error 'power-on' is not handled, so kind is not never
      return exhaustive(kind);
  }
}

/** A kind added to a copy of the list ('snapshot'): a switch that handles the list's kinds misses it. */
const GROWN = [...PLAN_STEP_KINDS, 'snapshot'] as const;
type Grown = (typeof GROWN)[number];
export function grown(kind: Grown): string {
  switch (kind) {
    case 'wait':
    case 'approve':
    case 'webhook':
    case 'check':
    case 'power-on':
      return kind;
    default:
      // @ts-expect-error 'snapshot' is not handled
      return exhaustive(kind);
  }
}

// ... and every table keyed by kind misses it: the document schema, the CLI's lines
// @ts-expect-error the plan document's schema has no 'snapshot'
export const schemas: Record<Exclude<Grown, 'power-on'>, unknown> = STEP_SCHEMAS;
// @ts-expect-error the CLI has no line for a 'snapshot' step
export const lines: Record<Grown, unknown> = STEP_STARTED;

/** The kinds a task runs are exactly the list's, and a document's are the list's but power-on. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const runKinds: Same<PlanStep['kind'], PlanStepKind> = true;
export const writtenKinds: Same<PlanStepSpec['kind'], WrittenStepKind> = true;
// @ts-expect-error a kind the task does not run is not one of them
export const notRun: Same<PlanStep['kind'], Grown> = true;
