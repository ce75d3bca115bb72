import { SERVICE_QUEUES } from '@jss/bus';
import { bootstrap } from '@jss/infra';
import { ProvisionerModule } from './src/provisioner.module';

void bootstrap('provisioner', ProvisionerModule, () => [{ spec: SERVICE_QUEUES.provisionerWork, prefetch: 4 }]);
