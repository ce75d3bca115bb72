import { EVENTS, EventDataMap, PlanStepKind } from '@jss/contract';

type StepEvent = EventDataMap['plan.step-started'];

/** What the follow view says when a step of each kind starts (an approve names the command that passes it). */
export const STEP_STARTED: Record<PlanStepKind, (taskId: string) => string> = {
  wait: () => 'started',
  approve: (taskId) => `waits for: jssctl plan-continue ${taskId}`,
  webhook: () => 'started',
  check: () => 'started',
  'power-on': () => 'started',
};

/** The line of a plan step's event: `plan step <id> (<kind>) started|completed|failed`. */
export function planStepLine(key: string, step: StepEvent, taskId: string): string {
  const what = key === EVENTS.planStepStarted ? STEP_STARTED[step.kind](taskId) : key.slice('plan.step-'.length);
  return `plan step ${step.stepId} (${step.kind}) ${what}`;
}
