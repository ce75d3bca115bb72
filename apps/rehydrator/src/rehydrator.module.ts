import { Module } from '@nestjs/common';
import { CoreModule } from '@jss/infra';
import { RangeHandler } from './range.handler';
import { RehydratorConsumer } from './rehydrator.consumer';

@Module({
  imports: [CoreModule.forService('rehydrator')],
  providers: [RangeHandler, RehydratorConsumer],
})
export class RehydratorModule {}
