export * from './rocva';
export * from './deletion';
export * from './orphan-sweep';
