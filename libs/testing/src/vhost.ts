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

export interface QueueCounts {
  /** waiting for a consumer */
  ready: number;
  /** delivered, not yet acknowledged */
  unacked: number;
}

/** The messages of every queue of the vhost, by queue name, as the broker counts them. */
export function queueCounts(vhost: string): Record<string, QueueCounts> {
  const out = execFileSync(
    'rabbitmqctl',
    ['-q', 'list_queues', '-p', vhost, '--no-table-headers', 'name', 'messages_ready', 'messages_unacknowledged'],
    { encoding: 'utf8', stdio: 'pipe' },
  );
  const rows = out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols.length === 3);
  return Object.fromEntries(rows.map(([name, ready, unacked]) => [name, { ready: Number(ready), unacked: Number(unacked) }]));
}
