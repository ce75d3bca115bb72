import { SERVICE_QUEUES } from '@jss/bus';
import { bootstrap } from '@jss/infra';
import { ReplicatorModule } from './src/replicator.module';

void bootstrap('replicator', ReplicatorModule, () => [{ spec: SERVICE_QUEUES.replicatorWork, prefetch: 1 }]);
