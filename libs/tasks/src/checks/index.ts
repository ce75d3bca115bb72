export * from './work-checks';
export * from './reply-checks';
export * from './task-records';
