export * from './schema';
export * from './parse';
export * from './plan-store';
export * from './actions';
export * from './webhook-hosts';
