import { Module } from '@nestjs/common';
import { AmqpBus } from '@jss/bus';
import { Env } from '@jss/config';
import { CoreModule, ENV, OBJECT_STORE } from '@jss/infra';
import { ReplicaRepository } from '@jss/replica';
import { PointEvents, PointScanner, ScanStore } from '@jss/scan';
import { ObjectStore } from '@jss/store';
import { ListingScheduler } from './listing.scheduler';
import { PointsController } from './points.controller';
import { ScannerPriority } from './priority';
import { RehydrationGate } from './rehydration-gate';
import { ScanUseCase } from './scan.usecase';

/** Scans every recovery point as it lands for signs of ransomware (libs/scan). */
@Module({
  imports: [CoreModule.forService('scanner')],
  controllers: [PointsController],
  providers: [
    { provide: ScanStore, inject: [OBJECT_STORE], useFactory: (s: ObjectStore) => new ScanStore(s) },
    {
      provide: PointScanner,
      inject: [ReplicaRepository, OBJECT_STORE, ScanStore, ENV],
      useFactory: (r: ReplicaRepository, o: ObjectStore, s: ScanStore, env: Env) =>
        new PointScanner(r, o, s, {
          concurrency: env.SCANNER_CONCURRENCY,
          // tests only: a crash between a point's summary and its verdict
          ...(env.JSS_TEST_CRASH_AT === 'scan-before-verdict' && { beforeVerdict: () => process.kill(process.pid, 'SIGKILL') }),
        }),
    },
    { provide: PointEvents, inject: [AmqpBus], useFactory: (bus: AmqpBus) => new PointEvents(bus, '/jss/scanner') },
    ScannerPriority,
    RehydrationGate,
    ScanUseCase,
    ListingScheduler,
  ],
})
export class ScannerModule {}
