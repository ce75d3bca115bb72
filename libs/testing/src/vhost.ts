import { execFileSync } from 'node:child_process';

/**
 * A RabbitMQ virtual host of its own per test file, so that suites never see each other's
 * messages although the queue names are the fixed ones of the contract.
 */
export function createVhost(name: string): void {
  execFileSync('rabbitmqctl', ['-q', 'add_vhost', name], { stdio: 'pipe' });
  execFileSync('rabbitmqctl', ['-q', 'set_permissions', '-p', name, 'guest', '.*', '.*', '.*'], { stdio: 'pipe' });
}

export function deleteVhost(name: string): void {
  execFileSync('rabbitmqctl', ['-q', 'delete_vhost', name], { stdio: 'pipe' });
}
