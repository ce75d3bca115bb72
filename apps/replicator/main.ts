import { bootstrap } from '@jss/infra';
import { ReplicatorModule } from './src/replicator.module';

void bootstrap('replicator', ReplicatorModule);
