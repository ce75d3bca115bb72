import { Module } from '@nestjs/common';
import { AmqpBus } from '@jss/bus';
import { PointEvents } from '@jss/scan';
import { CoreModule, OBJECT_STORE, PLATFORM } from '@jss/infra';
import { Platform } from '@jss/platform';
import { ReplicaRepository, ReplicaWriter } from '@jss/replica';
import { ObjectStore } from '@jss/store';
import { WorkRunner } from '@jss/workers';
import { Protection } from './protection';
import { WorkController } from './work.controller';

/**
 * A stand-in for the replication side of the product (it is not one of the recovery services):
 * takes recovery points of the protected VMs on request. Needed by planned failover.
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
  ],
})
export class ReplicatorModule {}
