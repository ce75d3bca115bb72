export * from './env';
export * from './yaml-document';
export * from './redact';
