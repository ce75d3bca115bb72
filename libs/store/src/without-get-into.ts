import type { ObjectStore } from './object-store';

/** The same store without its optional getInto: for tests and the bench, the path a store without it takes. */
export function withoutGetInto(store: ObjectStore): ObjectStore {
  return new Proxy(store, { get: (target, key) => (key === 'getInto' ? undefined : Reflect.get(target, key, target)) });
}
