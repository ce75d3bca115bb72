/** Injection tokens for what is an interface or a value rather than a class. */
export const ENV = Symbol('ENV');
export const LOGGER = Symbol('LOGGER');
export const REDIS = Symbol('REDIS');
export const PLATFORM = Symbol('PLATFORM');
export const OBJECT_STORE = Symbol('OBJECT_STORE');
