import { Module } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { Env } from '@jss/config';
import { CoreModule, ENV, LOGGER, PLATFORM } from '@jss/infra';
import { DomainLocks } from '@jss/locks';
import { Logger } from '@jss/observability';
import { Platform } from '@jss/platform';
import { OrphanSweeper, RocvaManager } from '@jss/recovery';
import { TaskStore } from '@jss/tasks';
import { JanitorConsumer } from './janitor.consumer';
import { ReleaseHandler } from './release.handler';
import { SweepScheduler } from './sweep.scheduler';

@Module({
  imports: [CoreModule.forService('janitor')],
  providers: [
    ReleaseHandler,
    JanitorConsumer,
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
