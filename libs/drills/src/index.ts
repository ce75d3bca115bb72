// Scheduled drills: a recurring test failover of a domain, checked, cleaned up, and an evidence report.
export * from './drill';
export * from './drill-store';
export * from './drill-runner';
export * from './evidence';
export * from './evidence-html';
