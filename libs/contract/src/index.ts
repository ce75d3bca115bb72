export * from './names';
export * from './cloudevent';
export * from './commands';
export * from './events';
export * from './event-schemas';
export * from './reasons';
export * from './work';
export * from './unreadable';
