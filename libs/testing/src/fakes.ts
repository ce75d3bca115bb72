import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RoleMapSource } from '@jss/authz';
import { createLogger } from '@jss/observability';

/**
 * A dependency of which a unit spec gives only what the code under test calls (anything else throws,
 * naming it). Only for paths the e2e suites also run with the real part.
 */
export function partial<T extends object>(given: Partial<T>): T {
  return new Proxy(given, {
    get: (target, key) =>
      key in target
        ? (target as Record<PropertyKey, unknown>)[key]
        : () => {
            throw new Error(`${String(key)} is not faked in this spec`);
          },
  }) as T;
}

/** A role map (JSS_AUTHZ_FILE) from its YAML text, or none: everyone may do everything. */
export function roleMapOf(yaml?: string): RoleMapSource {
  const log = createLogger('spec', 'silent');
  if (yaml === undefined) return RoleMapSource.open(undefined, log);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'jss-roles-')), 'roles.yaml');
  writeFileSync(file, yaml);
  return RoleMapSource.open(file, log);
}
