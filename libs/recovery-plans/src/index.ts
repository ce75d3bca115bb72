export * from './schema';
export * from './parse';
export * from './plan-store';
export * from './plan-run';
export * from './webhook-hosts';
export * from './addresses';
