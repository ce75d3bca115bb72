export * from './task';
export * from './task-store';
export * from './checks';
