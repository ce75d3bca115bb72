import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, freePort, waitUntil } from '@jss/testing';
import { run } from './tools';

export interface RabbitmqFiles {
  conf: string;
  definitions: string;
  enabledPlugins: string;
}

/**
 * A throwaway RabbitMQ node beside the shared one (own node name, ports and data folder), booted
 * with the given rabbitmq.conf, definitions.json and enabled_plugins as the docker-compose RabbitMQ
 * is: a check that the broker accepts those files. Ports of its own are added in a later conf file.
 */
export class RabbitmqNode {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly node: string,
    readonly amqpPort: number,
    readonly prometheusPort: number,
  ) {}

  static async start(files: RabbitmqFiles): Promise<RabbitmqNode> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jss-rabbitmq-'));
    const [amqpPort, distPort, prometheusPort, managementPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const node = `${path.basename(dir)}@localhost`;
    mkdirSync(path.join(dir, 'conf.d'));
    copyFileSync(files.definitions, path.join(dir, 'definitions.json'));
    copyFileSync(files.enabledPlugins, path.join(dir, 'enabled_plugins'));
    const conf = readFileSync(files.conf, 'utf8').replace(
      /^load_definitions = .*$/m,
      `load_definitions = ${path.join(dir, 'definitions.json')}`,
    );
    writeFileSync(path.join(dir, 'conf.d', '20-jss.conf'), conf);
    const ports = [
      `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
      `prometheus.tcp.port = ${prometheusPort}`,
      `management.tcp.port = ${managementPort}`,
    ];
    writeFileSync(path.join(dir, 'conf.d', '90-ports.conf'), ports.join('\n') + '\n');
    // instead of the machine's /etc/rabbitmq/rabbitmq.conf, whose listener is the shared node's
    writeFileSync(path.join(dir, 'main.conf'), '');
    // started by root, the server script runs the node as user rabbitmq
    if (process.getuid?.() === 0) run('chown', ['-R', 'rabbitmq:rabbitmq', dir]);

    const env = {
      ...process.env,
      RABBITMQ_NODENAME: node,
      RABBITMQ_NODE_PORT: String(amqpPort),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_CONFIG_FILE: path.join(dir, 'main.conf'),
      RABBITMQ_CONFIG_FILES: path.join(dir, 'conf.d'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
      RABBITMQ_MNESIA_DIR: path.join(dir, 'mnesia', 'node'),
      RABBITMQ_FEATURE_FLAGS_FILE: path.join(dir, 'mnesia', 'feature_flags'),
      RABBITMQ_PLUGINS_EXPAND_DIR: path.join(dir, 'mnesia', 'plugins'),
      RABBITMQ_LOG_BASE: dir,
      RABBITMQ_PID_FILE: path.join(dir, 'pid'),
    };
    const log = openSync(path.join(dir, 'out.log'), 'a');
    // own process group: the server script runs the Erlang VM under su, stop() can end them all
    const child = spawn('rabbitmq-server', [], { env, stdio: ['ignore', log, log], detached: true });
    const server = new RabbitmqNode(child, dir, node, amqpPort, prometheusPort);
    const started = () => {
      if (child.exitCode !== null) throw new Error(`rabbitmq-server exited with ${child.exitCode}`);
      try {
        execFileSync('rabbitmqctl', ['-n', node, '-q', 'await_startup'], { stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    };
    const up = await waitUntil('the throwaway node started', started, 60_000, 1000).then(
      () => true,
      () => false,
    );
    if (up) return server;
    const out = readFileSync(path.join(dir, 'out.log'), 'utf8');
    await server.stop();
    throw new Error(`throwaway RabbitMQ node did not start:\n${out.slice(-3000)}`);
  }

  /** Any rabbitmqctl command on this node (e.g. stop_app / start_app: the broker stops, the node stays). */
  ctl(...args: string[]): string {
    return run('rabbitmqctl', ['-n', this.node, '-q', ...args]);
  }

  /** `rabbitmqctl list_<what>` on this node, as rows of tab-separated columns. */
  list(what: string, columns: string[] = []): string[][] {
    return run('rabbitmqctl', ['-n', this.node, '-q', '--no-table-headers', `list_${what}`, ...columns])
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        execFileSync('rabbitmqctl', ['-n', this.node, '-q', 'stop'], { stdio: 'pipe', timeout: 30_000 });
      } catch {
        process.kill(-this.child.pid!, 'SIGKILL');
      }
      await exited(this.child, 30_000).catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
