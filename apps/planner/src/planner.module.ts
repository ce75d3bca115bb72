import { Module } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { Env } from '@jss/config';
import { CoreModule, ENV, LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { TaskFlow, TaskMonitor } from '@jss/recovery';
import { ReplicaRepository } from '@jss/replica';
import { TaskStore } from '@jss/tasks';
import { CommandsHandler } from './commands.handler';
import { ControlCommand } from './control.command';
import { DeadLettersHandler } from './dead-letters.handler';
import { RecoveryCommand } from './recovery.command';
import { MonitorScheduler } from './monitor.scheduler';
import { RepliesHandler } from './replies.handler';

@Module({
  imports: [CoreModule.forService('planner')],
  providers: [
    {
      provide: TaskFlow,
      inject: [TaskStore, Messenger, ReplicaRepository, LOGGER],
      useFactory: (t: TaskStore, m: Messenger, r: ReplicaRepository, l: Logger) => new TaskFlow(t, m, r, l),
    },
    {
      provide: TaskMonitor,
      inject: [TaskStore, Messenger, TaskFlow, LOGGER, ENV],
      useFactory: (t: TaskStore, m: Messenger, f: TaskFlow, l: Logger, env: Env) =>
        new TaskMonitor(t, m, f, l, env.TASK_STALL_SECONDS, env.TASK_WATCHDOG_SECONDS),
    },
    MonitorScheduler,
    RecoveryCommand,
    ControlCommand,
    CommandsHandler,
    RepliesHandler,
    DeadLettersHandler,
  ],
})
export class PlannerModule {}
