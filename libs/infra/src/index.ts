export * from './tokens';
export * from './core.module';
export * from './bootstrap';
export * from './periodic';
