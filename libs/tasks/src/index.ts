export * from './task';
export * from './task-store';
