export * from './work-checks';
export * from './reply-checks';
