import { LIMITS } from '@jss/contract';
import { Manifest, ReplicaRepository } from '@jss/replica';
import { manifestOf } from '@jss/testing';
import { resolvePoint } from './resolve';

const MiB = 1 << 20;

/** A repository holding one point (the store itself is covered by the e2e suites, large-domain among them). */
const holding = (point: Manifest) =>
  ({ getDomain: async () => ({ name: point.domain }), resolvePoint: async () => point }) as unknown as ReplicaRepository;

describe('resolvePoint: the limits, at acceptance', () => {
  it('a VM of more disks than disksPerVm → limit-exceeded naming the limit and the count', async () => {
    const point = manifestOf('wide', { app: MiB, db: MiB });
    const disk = point.vms[1].disks[0];
    point.vms[1].disks = Array.from({ length: LIMITS.disksPerVm + 1 }, (_, index) => ({ ...disk, index }));
    await expect(resolvePoint(holding(point), 'wide', undefined, undefined)).rejects.toMatchObject({
      reason: 'limit-exceeded',
      message: `disks of VM "db": ${LIMITS.disksPerVm + 1} exceeds the limit disksPerVm = ${LIMITS.disksPerVm}`,
    });
    // the other VM alone is within the limits
    await expect(resolvePoint(holding(point), 'wide', undefined, ['app'])).resolves.toMatchObject({ vms: ['app'] });
  });
});
