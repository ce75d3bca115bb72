import { z } from 'zod';

// A point's entropy summary, `<domain>/entropy/<pointId>.json`, beside its manifest: one byte per
// block (entropyByte), so that scanning the next point reads only the blocks that changed, never
// its parent's; and what the next scan must carry on — each VM's recent change rates and the
// blocks a suspicious point turned near-random. Written before the verdict; the same every time.

const base64 = z
  .string()
  .max(64 << 20)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

const storedDisk = z.object({
  index: z.number().int().min(0),
  /** one byte per block: round(bits per byte × 255 / 8); 0 for a zero block */
  entropy: base64,
  /** bitmap (bit b of byte b >> 3, lowest first): blocks turned near-random by a suspicious point, still so */
  suspect: base64.nullable(),
});

export const summarySchema = z.object({
  version: z.literal(1),
  domain: z.string(),
  pointId: z.string(),
  blockSize: z.number().int().positive(),
  vms: z.array(
    z.object({
      name: z.string(),
      /** changedPercent of the VM's last points (newest last), for the next point's change rate */
      history: z.array(z.number()).max(100),
      /** the suspicious point whose blocks the suspect bitmaps hold */
      suspectSince: z.string().nullable(),
      disks: z.array(storedDisk),
    }),
  ),
});
export type StoredSummary = z.infer<typeof summarySchema>;

export interface DiskSummary {
  index: number;
  entropy: Uint8Array;
  /** null: no suspect block */
  suspect: Uint8Array | null;
}

export interface VmSummary {
  name: string;
  history: number[];
  suspectSince: string | null;
  disks: DiskSummary[];
}

export interface PointSummary {
  domain: string;
  pointId: string;
  blockSize: number;
  vms: VmSummary[];
}

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const text = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');

/** The same summary with each disk's two byte strings converted (stored base64 ↔ bytes in memory). */
function convert<A, B>(
  vms: Array<Omit<VmSummary, 'disks'> & { disks: Array<{ index: number; entropy: A; suspect: A | null }> }>,
  f: (x: A) => B,
) {
  return vms.map((vm) => ({
    ...vm,
    disks: vm.disks.map((d) => ({ index: d.index, entropy: f(d.entropy), suspect: d.suspect === null ? null : f(d.suspect) })),
  }));
}

export function decodeSummary(s: StoredSummary): PointSummary {
  return { domain: s.domain, pointId: s.pointId, blockSize: s.blockSize, vms: convert(s.vms, bytes) };
}

export function encodeSummary(s: PointSummary): StoredSummary {
  return { version: 1, domain: s.domain, pointId: s.pointId, blockSize: s.blockSize, vms: convert(s.vms, text) };
}

/** Bitmaps of block indexes. */
export const bitmap = {
  of: (blocks: number) => new Uint8Array(Math.ceil(blocks / 8)),
  has: (map: Uint8Array | null, b: number) => map !== null && b >> 3 < map.length && (map[b >> 3] & (1 << (b & 7))) !== 0,
  set: (map: Uint8Array, b: number) => void (map[b >> 3] |= 1 << (b & 7)),
  count: (map: Uint8Array | null) => {
    let n = 0;
    for (const byte of map ?? []) for (let v = byte; v; v &= v - 1) n++;
    return n;
  },
};
