export * from './domain-lock';
