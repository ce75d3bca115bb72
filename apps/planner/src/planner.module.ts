import { Module } from '@nestjs/common';
import { AmqpBus, Messenger } from '@jss/bus';
import { Env } from '@jss/config';
import { DrillRunner, DrillStore } from '@jss/drills';
import { CoreModule, ENV, LOGGER, OBJECT_STORE, PLATFORM, REDIS } from '@jss/infra';
import { DomainLocks } from '@jss/locks';
import { Logger } from '@jss/observability';
import { Platform } from '@jss/platform';
import { PlanEffects, TaskFlow, TaskMonitor } from '@jss/recovery';
import { DomainOverviews, ProtectionStore } from '@jss/protection';
import { PlanStore, WebhookHosts } from '@jss/recovery-plans';
import { Redis } from '@jss/redis';
import { RocvaManager } from '@jss/temporaries';
import { ReplicaRepository } from '@jss/replica';
import { PointEvents, PointVerdicts, ScanStore } from '@jss/scan';
import { ObjectStore } from '@jss/store';
import { TaskStore } from '@jss/tasks';
import { CommandIntake } from './command-intake';
import { CommandsController } from './commands.controller';
import { ControlUseCase } from './control.usecase';
import { DeadLettersHandler } from './dead-letters.handler';
import { DrillScheduleUseCase } from './drill-schedule.usecase';
import { DrillTestFailover } from './drill-test-failover';
import { DomainsScheduler } from './domains.scheduler';
import { DrillsScheduler } from './drills.scheduler';
import { MonitorScheduler } from './monitor.scheduler';
import { PointsHandler } from './points.handler';
import { ProtectionUseCase } from './protection.usecase';
import { RecoveryPlanUseCase } from './recovery-plan.usecase';
import { RecoveryUseCase } from './recovery.usecase';
import { RepliesController } from './replies.controller';
import { TaskEndUseCase } from './task-end.usecase';
import { WEBHOOK_HOSTS, webhookHostsProvider } from './webhook-hosts.provider';

@Module({
  imports: [CoreModule.forService('planner')],
  controllers: [CommandsController, RepliesController],
  providers: [
    webhookHostsProvider,
    {
      provide: TaskFlow,
      inject: [TaskStore, Messenger, ReplicaRepository, LOGGER, PLATFORM, WEBHOOK_HOSTS],
      useFactory: (t: TaskStore, m: Messenger, r: ReplicaRepository, l: Logger, p: Platform, h: WebhookHosts | null) =>
        new TaskFlow(t, m, r, l, new PlanEffects(p, h)),
    },
    { provide: PlanStore, inject: [REDIS], useFactory: (r: Redis) => new PlanStore(r) },
    {
      provide: PointVerdicts,
      inject: [ReplicaRepository, OBJECT_STORE, AmqpBus, ENV],
      useFactory: (r: ReplicaRepository, o: ObjectStore, bus: AmqpBus, env: Env) => {
        const events = new PointEvents(bus, '/jss/planner');
        // last-clean: the points it waits for are asked for at once, not left to the next listing
        const requestScan = async (domain: string, ids: string[]) => {
          for (const id of ids) await events.requestScan(domain, id);
        };
        return new PointVerdicts(r, new ScanStore(o), { waitMs: env.SCAN_WAIT_SECONDS * 1000, requestScan });
      },
    },
    {
      provide: TaskMonitor,
      inject: [TaskStore, Messenger, TaskFlow, LOGGER, ENV],
      useFactory: (t: TaskStore, m: Messenger, f: TaskFlow, l: Logger, env: Env) =>
        new TaskMonitor(t, m, f, l, env.TASK_STALL_SECONDS, env.TASK_WATCHDOG_SECONDS),
    },
    MonitorScheduler,
    PointsHandler,
    { provide: DrillStore, inject: [REDIS], useFactory: (r: Redis) => new DrillStore(r) },
    DrillTestFailover,
    {
      provide: DrillRunner,
      inject: [DrillStore, TaskStore, TaskFlow, PLATFORM, OBJECT_STORE, DomainLocks, Messenger, DrillTestFailover, LOGGER, REDIS],
      useFactory: (
        d: DrillStore,
        t: TaskStore,
        f: TaskFlow,
        p: Platform,
        o: ObjectStore,
        k: DomainLocks,
        m: Messenger,
        s: DrillTestFailover,
        l: Logger,
        r: Redis,
      ) => new DrillRunner(d, t, f, p, o, k, m, s.start, l, new RocvaManager(r, k, p)),
    },
    DrillsScheduler,
    DrillScheduleUseCase,
    { provide: ProtectionStore, inject: [REDIS], useFactory: (r: Redis) => new ProtectionStore(r) },
    {
      provide: DomainOverviews,
      inject: [ReplicaRepository, ProtectionStore, DrillStore, PlanStore],
      useFactory: (r: ReplicaRepository, p: ProtectionStore, d: DrillStore, s: PlanStore) => new DomainOverviews(r, p, d, s),
    },
    DomainsScheduler,
    ProtectionUseCase,
    TaskEndUseCase,
    CommandIntake,
    RecoveryUseCase,
    ControlUseCase,
    RecoveryPlanUseCase,
    DeadLettersHandler,
  ],
})
export class PlannerModule {}
