import { bootstrap } from '@jss/infra';
import { ProvisionerModule } from './src/provisioner.module';

void bootstrap('provisioner', ProvisionerModule);
