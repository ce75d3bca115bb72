import { redactSecrets } from '@jss/config';
import type { RtoForecast } from '@jss/contract';

/** How a forecast was reached, in one line: fixed + per VM × VMs + bytes ÷ rate + waits, and from what. */
export function forecastBasis(f: NonNullable<RtoForecast>): string {
  const from = f.basis === 'measured' ? `${f.samples} recent recoveries` : 'defaults (no recovery measured yet)';
  const mbps = (f.rateBytesPerSecond / 1e6).toFixed(0);
  return `${f.fixedSeconds}s + ${f.perVmSeconds}s × ${f.vms} VMs + ${formatSize(f.bytes)} at ${mbps} MB/s + ${f.waitSeconds}s waits = ${f.seconds}s (${from})`;
}

/** C0 but newline and tab, DEL and C1 (ESC is a C0): what could move the cursor, retitle or clear a terminal. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text for a terminal: each control character shown as its escape (`\x1b`), never sent raw. */
export function neutralise(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The one way jssctl prints a line for people (stdout): whatever it holds (names, messages, URLs
 * from the bus, Redis or the store) has its control characters neutralised.
 */
export function say(line = ''): void {
  console.log(neutralise(line));
}

/** The same on stderr: errors and warnings, their URLs' secrets hidden too. */
export function sayError(line: string): void {
  console.error(neutralise(redactSecrets(line)));
}

/** `--json`: exact (JSON escapes every control character itself). */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Plain columns for people; `--json` is the form for tools. */
export function printTable(rows: Array<Record<string, string | number>>, empty = '(none)'): void {
  if (!rows.length) return say(empty);
  const cols = Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => neutralise(String(r[c]))));
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(width[i]))
      .join('  ')
      .trimEnd();
  say(line(cols.map((c) => c.toUpperCase())));
  for (const r of cells) say(line(r));
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
