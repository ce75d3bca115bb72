import { Module } from '@nestjs/common';
import { CoreModule } from '@jss/infra';
import { FinalizeHandler } from './finalize.handler';
import { PowerOffHandler } from './power-off.handler';
import { PrepareHandler } from './prepare.handler';
import { ProvisionerConsumer } from './provisioner.consumer';

@Module({
  imports: [CoreModule.forService('provisioner')],
  providers: [PrepareHandler, FinalizeHandler, PowerOffHandler, ProvisionerConsumer],
})
export class ProvisionerModule {}
