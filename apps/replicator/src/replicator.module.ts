import { Module } from '@nestjs/common';
import { AmqpBus } from '@jss/bus';
import { CoreModule, OBJECT_STORE, PLATFORM, REDIS } from '@jss/infra';
import { PointEvents } from '@jss/scan';
import { Platform } from '@jss/platform';
import { ProtectionStore } from '@jss/protection';
import { Redis } from '@jss/redis';
import { ReplicaRepository, ReplicaWriter } from '@jss/replica';
import { ObjectStore } from '@jss/store';
import { WorkRunner } from '@jss/workers';
import { Protection } from './protection';
import { ProtectionScheduler } from './protection.scheduler';
import { ReplicateUseCase } from './replicate.usecase';
import { WorkController } from './work.controller';

/**
 * A stand-in for the replication side of the product (it is not one of the recovery services):
 * takes recovery points of the protected VMs on request (planned failover) and on the protection
 * schedules (re-protection after a failover).
 */
@Module({
  imports: [CoreModule.forService('replicator')],
  controllers: [WorkController],
  providers: [
    WorkRunner,
    { provide: PointEvents, inject: [AmqpBus], useFactory: (bus: AmqpBus) => new PointEvents(bus, '/jss/replicator') },
    {
      provide: Protection,
      inject: [PLATFORM, OBJECT_STORE, ReplicaRepository],
      useFactory: (p: Platform, s: ObjectStore, r: ReplicaRepository) => new Protection(p, new ReplicaWriter(s), r),
    },
    { provide: ProtectionStore, inject: [REDIS], useFactory: (r: Redis) => new ProtectionStore(r) },
    ProtectionScheduler,
    ReplicateUseCase,
  ],
})
export class ReplicatorModule {}
