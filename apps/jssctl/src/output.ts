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
