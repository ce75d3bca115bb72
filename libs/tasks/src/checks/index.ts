export * from './work-checks';
export * from './reply-checks';
export * from './task-records';
export { sameSet } from './same';
