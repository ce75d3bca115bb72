export * from './amqp-bus';
export * from './amqp-context';
export * from './amqp-transport';
export * from './dead-letter';
export * from './messenger';
export * from './pass-errors-through';
export * from './served-queue';
export * from './topology';
