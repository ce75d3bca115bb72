import type { RtoForecast } from '@jss/contract';

/** How a forecast was reached, in one line: fixed + per VM × VMs + bytes ÷ rate + waits, and from what. */
export function forecastBasis(f: NonNullable<RtoForecast>): string {
  const from = f.basis === 'measured' ? `${f.samples} recent recoveries` : 'defaults (no recovery measured yet)';
  const mbps = (f.rateBytesPerSecond / 1e6).toFixed(0);
  return `${f.fixedSeconds}s + ${f.perVmSeconds}s × ${f.vms} VMs + ${formatSize(f.bytes)} at ${mbps} MB/s + ${f.waitSeconds}s waits = ${f.seconds}s (${from})`;
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Plain columns for people; `--json` is the form for tools. */
export function printTable(rows: Array<Record<string, string | number>>, empty = '(none)'): void {
  if (!rows.length) return console.log(empty);
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(width[i]))
      .join('  ')
      .trimEnd();
  console.log(line(cols.map((c) => c.toUpperCase())));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}

/** Bytes for people: 2.0 TiB, 768.0 MiB, 512 B. */
export function formatSize(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  if (Math.abs(bytes) < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = -1;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
