import { z } from 'zod';
import type { VmOwner } from '../platform';

// Every VM the system creates carries its owner in its annotation (config.annotation), one line
// `jss-owner: {"taskId":..,"kind":..,"domain":..,"createdAt":..}`: it survives vCenter restarts,
// shows in the vSphere client, and needs no custom-field definition. A VM without that line (or
// with one that does not parse) has no owner, and the janitor never touches it.

const PREFIX = 'jss-owner: ';

const markSchema = z.object({
  taskId: z.string().min(1),
  kind: z.enum(['rocva', 'rvm', 'tvm', 'recovered']),
  domain: z.string().min(1),
  createdAt: z.string().datetime(),
  /** static addresses asked for, by NIC position (vSphere applies them through guest customization) */
  ips: z.array(z.string().nullable()).optional(),
});

export type OwnerMark = z.infer<typeof markSchema>;

export function ownerAnnotation(owner: VmOwner | null, createdAt: string, ips: (string | null)[]): string {
  const lines = ['Created by JSS Recovery Services.'];
  if (owner) lines.push(PREFIX + JSON.stringify({ taskId: owner.taskId, kind: owner.kind, domain: owner.domain, createdAt, ips }));
  return lines.join('\n');
}

export function readOwnerMark(annotation: string | undefined): OwnerMark | null {
  const line = annotation?.split('\n').find((l) => l.startsWith(PREFIX));
  if (!line) return null;
  try {
    const parsed = markSchema.safeParse(JSON.parse(line.slice(PREFIX.length)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
