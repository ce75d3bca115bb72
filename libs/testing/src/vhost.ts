import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A RabbitMQ virtual host of its own per test file, so that suites never see each other's
 * messages although the queue names are the fixed ones of the contract.
 */
export function createVhost(name: string): void {
  ctl(['add_vhost', name]);
  setPermissions(name, 'guest', { configure: '.*', write: '.*', read: '.*' });
}

export function deleteVhost(name: string): void {
  ctl(['delete_vhost', name]);
}

/** Regular expressions of the resources a broker user may configure, write and read in a vhost. */
export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

/**
 * A broker user (of the whole broker: give it a name unique to the test) with rights in one vhost
 * only; on the shared node, or on `node` (a private one).
 */
export function createBrokerUser(vhost: string, user: string, password: string, permissions: Permissions, node?: string): void {
  ctl(['add_user', user, password], node);
  setPermissions(vhost, user, permissions, node);
}

/** The rights ops/rabbitmq/definitions.json gives a shipped user: `jss` (the services) or `jss-publisher` (who publishes commands). */
export function shippedPermissions(root: string, user: 'jss' | 'jss-publisher'): Permissions {
  const file = path.join(root, 'ops', 'rabbitmq', 'definitions.json');
  const defs = JSON.parse(readFileSync(file, 'utf8')) as { permissions: Array<Permissions & { user: string }> };
  const found = defs.permissions.find((p) => p.user === user);
  if (!found) throw new Error(`${file} gives user ${user} no permissions`);
  return { configure: found.configure, write: found.write, read: found.read };
}

export function deleteBrokerUser(user: string, node?: string): void {
  ctl(['delete_user', user], node);
}

function setPermissions(vhost: string, user: string, p: Permissions, node?: string): void {
  ctl(['set_permissions', '-p', vhost, user, p.configure, p.write, p.read], node);
}

/** rabbitmqctl on the shared node, or on `node` (a private one: a chaos run's). */
function ctl(args: string[], node?: string): void {
  execFileSync('rabbitmqctl', [...(node ? ['-n', node] : []), '-q', ...args], { stdio: 'pipe' });
}
