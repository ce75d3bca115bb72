import { Module } from '@nestjs/common';
import { CoreModule, OBJECT_STORE, PLATFORM } from '@jss/infra';
import { Platform } from '@jss/platform';
import { Protection } from '@jss/recovery';
import { ReplicaRepository, ReplicaWriter } from '@jss/replica';
import { ObjectStore } from '@jss/store';
import { ReplicateHandler } from './replicate.handler';

/**
 * A stand-in for the replication side of the product (it is not one of the recovery services):
 * takes recovery points of the protected VMs on request. Needed by planned failover.
 */
@Module({
  imports: [CoreModule.forService('replicator')],
  providers: [
    {
      provide: Protection,
      inject: [PLATFORM, OBJECT_STORE, ReplicaRepository],
      useFactory: (p: Platform, s: ObjectStore, r: ReplicaRepository) => new Protection(p, new ReplicaWriter(s), r),
    },
    ReplicateHandler,
  ],
})
export class ReplicatorModule {}
