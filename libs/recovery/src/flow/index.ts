export * from './task-flow';
export * from './task-monitor';
export * from './outbound';
export * from './work-messages';
export type { Decision, FlowContext, Move, Decider } from './decision';
export { partsOf, rangeJobsOf } from './range-jobs';
export { PlanEffects } from './plan-effects';
