import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { exited, freePort, waitUntil } from '@jss/testing';

export interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * A Prometheus of the test's own (Debian's /usr/bin/prometheus) on a free port, its data in a
 * temporary folder; the lifecycle API stays off, the process is ended by stop().
 */
export class PrometheusServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(config: object): Promise<PrometheusServer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jss-prometheus-'));
    const configFile = path.join(dir, 'prometheus.yml');
    writeFileSync(configFile, stringify(config));
    const port = await freePort();
    const log = openSync(path.join(dir, 'prometheus.log'), 'a');
    const child = spawn(
      '/usr/bin/prometheus',
      [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: ['ignore', log, log] },
    );
    const server = new PrometheusServer(child, dir, `http://127.0.0.1:${port}`);
    const ready = async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}; see ${dir}/prometheus.log`);
      return fetch(`${server.url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
    };
    try {
      await waitUntil('prometheus ready', ready, 20_000, 200);
      return server;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  async api<T>(pathAndQuery: string): Promise<T> {
    const res = await fetch(`${this.url}/api/v1/${pathAndQuery}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${res.status}`);
    return body.data;
  }

  /** An instant query; throws Prometheus's message for an invalid expression. */
  async query(expr: string): Promise<Series[]> {
    const data = await this.api<{ resultType: string; result: Series[] | [number, string] }>(`query?query=${encodeURIComponent(expr)}`);
    // a scalar result (e.g. of a constant) counts as one series
    return data.resultType === 'vector' ? (data.result as Series[]) : [{ metric: {}, value: data.result as [number, string] }];
  }

  until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    return waitUntil(`prometheus: ${what}`, check, timeoutMs, 500);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await exited(this.child, 10_000).catch(() => this.child.kill('SIGKILL'));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Turns every comparison of an alert expression into a `bool` comparison (`x > 900` → `x > bool 900`):
 * instead of dropping the series that do not meet the condition it yields 0 or 1 for each, so the
 * result is empty only when the expression's underlying series do not exist. Label matchers inside
 * {…} and string literals are left alone.
 */
export function withoutFiltering(expr: string): string {
  let out = '';
  let braces = 0;
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') out += c + expr[++i];
      else out += c;
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    if (c === '{') braces++;
    if (c === '}') braces--;
    const op = braces === 0 ? /^(==|!=|>=|<=|>|<)(?!\s*bool\b)/.exec(expr.slice(i)) : null;
    if (op) {
      out += `${op[1]} bool`;
      i += op[1].length - 1;
    } else {
      out += c;
    }
  }
  return out;
}
