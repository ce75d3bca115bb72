export * from './draft';
export * from './plan-failover';
export * from './plan-restore';
export * from './plan-test-failover';
export * from './preflight';
export * from './resolve';
export * from './dry-run';
export * from './plan-continuous-failover';
