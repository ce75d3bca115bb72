import { Module } from '@nestjs/common';
import { CoreModule } from '@jss/infra';
import { WorkRunner } from '@jss/workers';
import { DiskSeeder } from './disk-seeder';
import { FinalizeUseCase } from './finalize.usecase';
import { PowerOffUseCase } from './power-off.usecase';
import { PrepareUseCase } from './prepare.usecase';
import { WorkController } from './work.controller';

@Module({
  imports: [CoreModule.forService('provisioner')],
  controllers: [WorkController],
  providers: [WorkRunner, DiskSeeder, PrepareUseCase, FinalizeUseCase, PowerOffUseCase],
})
export class ProvisionerModule {}
