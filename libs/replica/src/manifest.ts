import { z } from 'zod';
import { blockCountOf, blockSizeSchema } from './block-size';
import { ManifestError } from './errors';
import { NAME_PATTERN } from '@jss/contract';
import { POINT_ID_PATTERN } from './point-id';

// The two JSON documents of a replica, validated whenever they are read back from the store:
// another version of the writer, or a person, may have put them there.

const name = z.string().regex(NAME_PATTERN, 'must match ' + NAME_PATTERN.source);
const pointId = z.string().regex(POINT_ID_PATTERN, 'not a recovery point id');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'not a lower-case hex sha256');

export const domainRecordSchema = z.object({
  name,
  blockSize: blockSizeSchema,
  createdAt: z.iso.datetime(),
  /** the site whose VMs the replica protects */
  site: z.string().min(1),
});

const diskSchema = z.object({
  index: z.number().int().min(0),
  sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** sha256 of each block in order; null = all-zero block, not stored */
  blocks: z.array(sha256.nullable()),
});

const vmSchema = z.object({ name, disks: z.array(diskSchema) });

export const manifestSchema = z
  .object({
    version: z.literal(1),
    id: pointId,
    domain: name,
    time: z.iso.datetime(),
    blockSize: blockSizeSchema,
    parent: pointId.nullable(),
    site: z.string().min(1),
    vms: z.array(vmSchema),
  })
  .superRefine((m, ctx) => {
    const vmNames = new Set<string>();
    m.vms.forEach((vm, v) => {
      if (vmNames.has(vm.name)) ctx.addIssue({ code: 'custom', path: ['vms', v, 'name'], message: 'duplicate VM name' });
      vmNames.add(vm.name);
      const indexes = new Set<number>();
      vm.disks.forEach((disk, d) => {
        if (indexes.has(disk.index))
          ctx.addIssue({ code: 'custom', path: ['vms', v, 'disks', d, 'index'], message: 'duplicate disk index' });
        indexes.add(disk.index);
        const expected = blockCountOf(disk.sizeBytes, m.blockSize);
        if (disk.blocks.length !== expected) {
          ctx.addIssue({
            code: 'custom',
            path: ['vms', v, 'disks', d, 'blocks'],
            message: `${disk.blocks.length} blocks for ${disk.sizeBytes} bytes, expected ${expected}`,
          });
        }
      });
    });
  });

export type DomainRecord = z.infer<typeof domainRecordSchema>;
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestVm = Manifest['vms'][number];
export type ManifestDisk = ManifestVm['disks'][number];

/** Parses a stored JSON document with `schema`; ManifestError names the key and every problem. */
export function parseStored<T>(schema: z.ZodType<T>, key: string, body: Buffer): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ManifestError(key, `not JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ManifestError(key, problems);
  }
  return parsed.data;
}

/** The disk of a VM in a point; a clear error when the point has no such VM or disk. */
export function findDisk(manifest: Manifest, vm: string, diskIndex: number): ManifestDisk {
  const found = manifest.vms.find((v) => v.name === vm);
  if (!found) throw new Error(`recovery point ${manifest.id} of domain "${manifest.domain}" has no VM "${vm}"`);
  const disk = found.disks.find((d) => d.index === diskIndex);
  if (!disk) throw new Error(`VM "${vm}" in recovery point ${manifest.id} has no disk ${diskIndex}`);
  return disk;
}
