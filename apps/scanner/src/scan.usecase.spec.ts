import { AmqpBus } from '@jss/bus';
import { loadEnv } from '@jss/config';
import { createLogger } from '@jss/observability';
import { PointEvents, PointScanner, ScanStore, VerdictRecord } from '@jss/scan';
import { FlowFixture, MiB, partial } from '@jss/testing';
import { RehydrationGate } from './rehydration-gate';
import { ScanUseCase } from './scan.usecase';

/**
 * A scan request on a real replica and Redis; point.scanned is recorded, and the bus gives only its
 * stopping signal (test/scanner.e2e-spec.ts runs it with the real bus).
 */
describe('ScanUseCase', () => {
  const held = FlowFixture.forSpec({ beforeAll, afterAll, beforeEach }, 'shop', { app: 2 * MiB, db: MiB });
  const scanned: VerdictRecord[] = [];
  let useCase: ScanUseCase;
  beforeAll(() => {
    const { fx } = held;
    const scanner = new PointScanner(fx.replica, fx.store, new ScanStore(fx.store), { concurrency: 4 });
    const events = partial<PointEvents>({ scanned: async (r: VerdictRecord) => void scanned.push(r) });
    const bus = partial<AmqpBus>({ stopping: new AbortController().signal });
    const gate = new RehydrationGate(fx.tasks, loadEnv());
    useCase = new ScanUseCase(scanner, events, bus, gate, createLogger('spec', 'silent'));
  });
  beforeEach(() => (scanned.length = 0));

  it('scans a point, stores its verdict with each VM’s, and announces it; asked again, announces the stored verdict unscanned', async () => {
    const { point } = held;
    await useCase.execute('shop', point.id);
    expect(scanned).toHaveLength(1);
    const [record] = scanned;
    expect(record).toMatchObject({ domain: 'shop', pointId: point.id, verdict: 'clean' });
    expect(record.vms.map((v) => v.name).sort()).toEqual(['app', 'db']);
    await useCase.execute('shop', point.id);
    expect(scanned).toEqual([record, record]);
  });

  it('a request that names no recovery point is dead-lettered, announcing nothing; an unknown point is skipped', async () => {
    await expect(useCase.execute('shop', '../etc')).rejects.toThrow(/not a recovery point/);
    await expect(useCase.execute('shop/x', held.point.id)).rejects.toThrow(/not a recovery point/);
    await useCase.execute('nowhere', held.point.id);
    expect(scanned).toEqual([]);
  });
});
