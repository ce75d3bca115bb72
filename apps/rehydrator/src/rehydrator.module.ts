import { Module } from '@nestjs/common';
import { CoreModule } from '@jss/infra';
import { StepRunner } from '@jss/workers';
import { RangeController } from './range.controller';
import { RangeUseCase } from './range.usecase';

@Module({
  imports: [CoreModule.forService('rehydrator')],
  controllers: [RangeController],
  providers: [StepRunner, RangeUseCase],
})
export class RehydratorModule {}
