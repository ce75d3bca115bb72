export * from './transitions';
export * from './task';
export * from './task-store';
export * from './operation-profile';
export * from './name-reservations';
export * from './checks';
export * from './plan-progress';
export * from './task-changes';
