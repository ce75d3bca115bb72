export * from './step-runner';
export * from './failure-reason';
