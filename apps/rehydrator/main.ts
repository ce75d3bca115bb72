import { SERVICE_QUEUES } from '@jss/bus';
import { bootstrap } from '@jss/infra';
import { RehydratorModule } from './src/rehydrator.module';

void bootstrap('rehydrator', RehydratorModule, (env) => [{ spec: SERVICE_QUEUES.rehydratorJobs, prefetch: env.REHYDRATOR_JOBS }]);
