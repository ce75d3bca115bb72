export * from './names';
export * from './cloudevent';
export * from './commands';
export * from './events';
export * from './reasons';
export * from './work';
