/**
 * One series of a service's /metrics (Prometheus text format), e.g. `jss_messages_total` with
 * `{ queue: 'jss.provisioner.work', outcome: 'ack' }`: the sum over the series whose labels include
 * `labels` (0 when there is none).
 */
export async function metricValue(service: { port: number }, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${service.port}/metrics`);
  if (!res.ok) throw new Error(`/metrics of port ${service.port} answered ${res.status}`);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Whether a service says it is ready (/readyz: its broker and Redis connections up). */
export async function isReady(service: { port: number }): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${service.port}/readyz`);
  await res.body?.cancel();
  return res.ok;
}
