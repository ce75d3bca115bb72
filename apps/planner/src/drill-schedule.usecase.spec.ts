import { Messenger } from '@jss/bus';
import { ReasonedError, cloudEvent, commandType } from '@jss/contract';
import { DrillSchedule, DrillStore } from '@jss/drills';
import { RecordingPublisher, partial, roleMapOf } from '@jss/testing';
import { Command } from './command';
import { DrillScheduleUseCase } from './drill-schedule.usecase';
import { RecoveryUseCase } from './recovery.usecase';

/** drill-schedule and drill-unschedule (test/drills.e2e-spec.ts runs them with the real store, drafting and broker). */
describe('DrillScheduleUseCase', () => {
  const published = new RecordingPublisher();
  const stored = new Map<string, { schedule: DrillSchedule; nextDue: number }>();
  const drafted: string[] = [];
  const drills = partial<DrillStore>({
    getSchedule: async (domain: string) => stored.get(domain) ?? null,
    schedule: async (schedule: DrillSchedule, nextDue: number) => void stored.set(schedule.domain, { schedule, nextDue }),
    unschedule: async (domain: string) => stored.delete(domain),
  });
  // each drill is the principal's test failover: drafted (and refused) as one now
  const recovery = partial<RecoveryUseCase>({
    draft: async (c) => {
      if (c.data.domain === 'nowhere') throw new ReasonedError('unknown-domain', 'no such domain');
      drafted.push(c.data.domain);
      return null as never; // its draft is not used, only its refusals
    },
  });
  const roles = roleMapOf();
  afterAll(() => roles.close());
  const useCase = new DrillScheduleUseCase(drills, recovery, partial<Messenger>(published), roles);
  const command = <O extends 'drill-schedule' | 'drill-unschedule'>(op: O, data: Command<O>['data'], id?: string): Command<O> => ({
    op,
    data,
    principal: 'qa',
    event: cloudEvent({ id, type: commandType(op), source: '/spec', data }),
  });
  const reason = (p: Promise<unknown>) =>
    p.then(
      () => 'done',
      (err: ReasonedError) => err.reason,
    );
  beforeEach(() => {
    published.take();
    stored.clear();
    drafted.length = 0;
  });

  it('stores a schedule drafted as the principal’s test failover and answers with its next due time; the same command again changes nothing', async () => {
    const c = command('drill-schedule', { domain: 'shop', every: '1d' }, 'c-1');
    await useCase.schedule(c);
    expect(drafted).toEqual(['shop']);
    expect(stored.get('shop')?.schedule).toMatchObject({ domain: 'shop', every: '1d', scheduledBy: 'qa', commandId: 'c-1', ttl: 3600 });
    await useCase.schedule(c);
    expect(drafted).toEqual(['shop']);
    const [first, again] = published.take();
    expect(first).toMatchObject({ key: 'drill.scheduled', data: { domain: 'shop', dryRun: false, nextDueAt: expect.any(String) } });
    expect(again.data).toEqual(first.data);
  });

  it('a dry run stores nothing; a domain the drafting refuses is refused', async () => {
    await useCase.schedule(command('drill-schedule', { domain: 'shop', every: '1d', dryRun: true }));
    expect(stored.size).toBe(0);
    expect(published.take()).toMatchObject([{ key: 'drill.scheduled', data: { dryRun: true } }]);
    expect(await reason(useCase.schedule(command('drill-schedule', { domain: 'nowhere', every: '1d' })))).toBe('unknown-domain');
  });

  it('unschedule removes a schedule; with none, refused no-drill-schedule', async () => {
    await useCase.schedule(command('drill-schedule', { domain: 'shop', every: '1d' }));
    await useCase.unschedule(command('drill-unschedule', { domain: 'shop' }));
    expect(stored.size).toBe(0);
    expect(await reason(useCase.unschedule(command('drill-unschedule', { domain: 'shop' })))).toBe('no-drill-schedule');
  });
});
