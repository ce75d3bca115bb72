import { SERVICE_QUEUES } from '@jss/bus';
import { bootstrap } from '@jss/infra';
import { JanitorModule } from './src/janitor.module';

void bootstrap('janitor', JanitorModule, () => [{ spec: SERVICE_QUEUES.janitorWork, prefetch: 4 }]);
