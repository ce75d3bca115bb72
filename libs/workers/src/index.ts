export * from './step-runner';
export * from './failure-reason';
export * from './task-records';
