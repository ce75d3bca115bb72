export * from './forecast';
export * from './protection-store';
export * from './schedule';
export * from './domain-overview';
