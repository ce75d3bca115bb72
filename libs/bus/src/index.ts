export * from './amqp-bus';
export * from './dead-letter';
export * from './topology';
export * from './messenger';
export * from './router';
export * from './dead-letter-reason';
