// The end-to-end harness: one isolated installation (own RabbitMQ vhost, Redis key prefix and data
// folder, the built services as child processes) for test suites and for the benchmark (bench/).
export * from './event-log';
export * from './free-port';
export * from './images';
export * from './installation';
export * from './metrics';
export * from './vcsim';
export * from './store-servers';
export * from './vhost';
export * from './flow-fixture';
export * from './wait';
export * from './vms';
export * from './sim-fixture';
export * from './chromium';
export * from './cli';
export * from './decider-context';
export * from './fakes';
export * from './redis-sentinel-set';
