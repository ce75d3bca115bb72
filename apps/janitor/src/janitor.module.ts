import { Module } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { Env } from '@jss/config';
import { CoreModule, ENV, LOGGER, PLATFORM, REDIS } from '@jss/infra';
import { DomainLocks } from '@jss/locks';
import { Logger } from '@jss/observability';
import { Platform } from '@jss/platform';
import { Redis } from '@jss/redis';
import { OrphanSweeper, PendingDeletions, RocvaManager } from '@jss/temporaries';
import { TaskStore } from '@jss/tasks';
import { WorkController } from './work.controller';
import { ReleaseUseCase } from './release.usecase';
import { SweepScheduler } from './sweep.scheduler';

@Module({
  imports: [CoreModule.forService('janitor')],
  controllers: [WorkController],
  providers: [
    ReleaseUseCase,
    { provide: PendingDeletions, inject: [REDIS], useFactory: (r: Redis) => new PendingDeletions(r) },
    {
      provide: OrphanSweeper,
      inject: [PLATFORM, TaskStore, RocvaManager, Messenger, DomainLocks, LOGGER, ENV],
      useFactory: (p: Platform, t: TaskStore, r: RocvaManager, m: Messenger, l: DomainLocks, log: Logger, env: Env) =>
        new OrphanSweeper(p, t, r, m, l, log, env.JANITOR_GRACE_SECONDS),
    },
    SweepScheduler,
  ],
})
export class JanitorModule {}
