import { Module } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { Env } from '@jss/config';
import { CoreModule, ENV, LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { FailoverFlow, TaskMonitor } from '@jss/recovery';
import { ReplicaRepository } from '@jss/replica';
import { TaskStore } from '@jss/tasks';
import { CommandsHandler } from './commands.handler';
import { FailoverCommand } from './failover.command';
import { MonitorScheduler } from './monitor.scheduler';
import { RepliesHandler } from './replies.handler';

@Module({
  imports: [CoreModule.forService('planner')],
  providers: [
    {
      provide: FailoverFlow,
      inject: [TaskStore, Messenger, ReplicaRepository, LOGGER],
      useFactory: (t: TaskStore, m: Messenger, r: ReplicaRepository, l: Logger) => new FailoverFlow(t, m, r, l),
    },
    {
      provide: TaskMonitor,
      inject: [TaskStore, Messenger, LOGGER, ENV],
      useFactory: (t: TaskStore, m: Messenger, l: Logger, env: Env) => new TaskMonitor(t, m, l, env.TASK_STALL_SECONDS),
    },
    MonitorScheduler,
    FailoverCommand,
    CommandsHandler,
    RepliesHandler,
  ],
})
export class PlannerModule {}
