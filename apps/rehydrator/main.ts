import { SERVICE_QUEUES } from '@jss/bus';
import { bootstrap } from '@jss/infra';
import { RehydratorModule } from './src/rehydrator.module';

// one range more than it works on: the next is at hand when a range's writes are done (RangeUseCase)
void bootstrap('rehydrator', RehydratorModule, (env) => [{ spec: SERVICE_QUEUES.rehydratorJobs, prefetch: env.REHYDRATOR_JOBS + 1 }]);
