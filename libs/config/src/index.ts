export * from './env';
export * from './yaml-document';
