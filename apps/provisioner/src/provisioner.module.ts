import { Module } from '@nestjs/common';
import { CoreModule } from '@jss/infra';
import { StepRunner } from '@jss/workers';
import { FinalizeUseCase } from './finalize.usecase';
import { PowerOffUseCase } from './power-off.usecase';
import { PrepareUseCase } from './prepare.usecase';
import { ProvisionerController } from './provisioner.controller';

@Module({
  imports: [CoreModule.forService('provisioner')],
  controllers: [ProvisionerController],
  providers: [StepRunner, PrepareUseCase, FinalizeUseCase, PowerOffUseCase],
})
export class ProvisionerModule {}
