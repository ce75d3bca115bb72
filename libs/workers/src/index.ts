export * from './work-runner';
export * from './failure-reason';
export * from './turns';
