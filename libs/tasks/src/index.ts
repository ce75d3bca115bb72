export * from './task';
export * from './task-store';
export * from './name-reservations';
