import { Module } from '@nestjs/common';
import { CoreModule } from '@jss/infra';
import { WorkRunner } from '@jss/workers';
import { JobsController } from './jobs.controller';
import { RangeUseCase } from './range.usecase';

@Module({
  imports: [CoreModule.forService('rehydrator')],
  controllers: [JobsController],
  providers: [WorkRunner, RangeUseCase],
})
export class RehydratorModule {}
