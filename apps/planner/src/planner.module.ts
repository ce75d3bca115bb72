import { Module } from '@nestjs/common';
import { Messenger } from '@jss/bus';
import { CoreModule, LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { FailoverFlow } from '@jss/recovery';
import { ReplicaRepository } from '@jss/replica';
import { TaskStore } from '@jss/tasks';
import { CommandsHandler } from './commands.handler';
import { FailoverCommand } from './failover.command';
import { RepliesHandler } from './replies.handler';

@Module({
  imports: [CoreModule.forService('planner')],
  providers: [
    {
      provide: FailoverFlow,
      inject: [TaskStore, Messenger, ReplicaRepository, LOGGER],
      useFactory: (t: TaskStore, m: Messenger, r: ReplicaRepository, l: Logger) => new FailoverFlow(t, m, r, l),
    },
    FailoverCommand,
    CommandsHandler,
    RepliesHandler,
  ],
})
export class PlannerModule {}
