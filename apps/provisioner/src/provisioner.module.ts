import { Module } from '@nestjs/common';
import { CoreModule } from '@jss/infra';
import { FinalizeHandler } from './finalize.handler';
import { PrepareHandler } from './prepare.handler';
import { ProvisionerConsumer } from './provisioner.consumer';

@Module({
  imports: [CoreModule.forService('provisioner')],
  providers: [PrepareHandler, FinalizeHandler, ProvisionerConsumer],
})
export class ProvisionerModule {}
