import Redis from 'ioredis';

export { Redis };
export * from './create-redis';
export * from './write-confirmation';
export * from './outage';
