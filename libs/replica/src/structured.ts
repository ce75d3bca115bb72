// Structured, low-entropy data for generated disks and snapshots: what text, logs and database
// pages look like to an entropy scanner (about 4-5 bits per byte, where encrypted data is near 8).
// Every 4 KiB page starts with a tag drawn from the seed, so that no two blocks are alike (the
// replica stores each distinct block once) while every block stays as structured as the text.

const PAGE = 4096;
const STATES = ['open', 'paid', 'held', 'shipped', 'closed'];

/** 64 KiB of record-like lines, the same on every machine (a fixed sequence, not Math.random). */
const TEXT: Buffer = (() => {
  const lines: string[] = [];
  let x = 12345;
  for (let bytes = 0; bytes < 64 << 10;) {
    x = (x * 1103515245 + 12345) >>> 0;
    const line = `order ${x % 100000} account acct-${(x >>> 8) % 5000} amount ${(x >>> 4) % 10000}.${x % 100} state ${STATES[x % STATES.length]}\n`;
    lines.push(line);
    bytes += line.length;
  }
  return Buffer.from(lines.join(''), 'latin1');
})();

/** `length` bytes of structured data that depend only on `seed` (32 bytes, e.g. from seedOf). */
export function structuredBytes(seed: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  const start = seed.readUInt32LE(0) % TEXT.length; // where in the text this block starts
  for (let at = 0; at < length;) {
    const from = (start + at) % TEXT.length;
    at += TEXT.copy(out, at, from, Math.min(TEXT.length, from + (length - at)));
  }
  const tag = seed.subarray(4, 12).toString('hex');
  for (let page = 0; page * PAGE < length; page++) {
    out.write(`#${tag}/${page.toString(16).padStart(4, '0')}\n`, page * PAGE, 'latin1');
  }
  return out;
}
