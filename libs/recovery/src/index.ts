export * from './defaults';
export * from './report';
export * from './draft';
export * from './progress';
export * from './traceparent';
export * from './flow';
export * from './flow/watchdog';
