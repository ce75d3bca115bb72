const UNITS = new Map<string, number>([
  ['', 1],
  ['b', 1],
  // single letters are binary, as in dd and qemu-img: 64M = 64 MiB
  ['k', 2 ** 10],
  ['m', 2 ** 20],
  ['g', 2 ** 30],
  ['t', 2 ** 40],
  ['kib', 2 ** 10],
  ['mib', 2 ** 20],
  ['gib', 2 ** 30],
  ['tib', 2 ** 40],
  ['kb', 1e3],
  ['mb', 1e6],
  ['gb', 1e9],
  ['tb', 1e12],
]);

/** Bytes in a size such as `512MiB`, `1GiB`, `1.5G`, `64M`, `10MB` or `1000000`. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS.get(m[2].toLowerCase()) : undefined;
  if (!m || unit === undefined) {
    throw new Error(`invalid size "${text}": use a number of bytes or a number with K, M, G, T, KiB, MiB, GiB, TiB, KB, MB, GB or TB`);
  }
  const bytes = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new Error(`invalid size "${text}": not a whole number of bytes`);
  return bytes;
}
