import { execFileSync } from 'node:child_process';

/**
 * A RabbitMQ virtual host of its own per test file, so that suites never see each other's
 * messages although the queue names are the fixed ones of the contract.
 */
export function createVhost(name: string): void {
  execFileSync('rabbitmqctl', ['-q', 'add_vhost', name], { stdio: 'pipe' });
  setPermissions(name, 'guest', { configure: '.*', write: '.*', read: '.*' });
}

export function deleteVhost(name: string): void {
  execFileSync('rabbitmqctl', ['-q', 'delete_vhost', name], { stdio: 'pipe' });
}

/** Regular expressions of the resources a broker user may configure, write and read in a vhost. */
export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

/** A broker user (of the whole broker: give it a name unique to the test) with rights in one vhost only. */
export function createBrokerUser(vhost: string, user: string, password: string, permissions: Permissions): void {
  execFileSync('rabbitmqctl', ['-q', 'add_user', user, password], { stdio: 'pipe' });
  setPermissions(vhost, user, permissions);
}

export function deleteBrokerUser(user: string): void {
  execFileSync('rabbitmqctl', ['-q', 'delete_user', user], { stdio: 'pipe' });
}

function setPermissions(vhost: string, user: string, p: Permissions): void {
  execFileSync('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, user, p.configure, p.write, p.read], { stdio: 'pipe' });
}
