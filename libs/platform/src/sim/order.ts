/** Listings are sorted by site, then name (plain code-unit order, the same on every machine). */
export function bySiteThenName(a: { site: string; name: string }, b: { site: string; name: string }): number {
  return compare(a.site, b.site) || compare(a.name, b.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
