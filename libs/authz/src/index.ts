export * from './authorize';
export * from './role-map';
export * from './role-map-source';
export * from './command-message';
