import { bootstrap } from '@jss/infra';
import { RehydratorModule } from './src/rehydrator.module';

void bootstrap('rehydrator', RehydratorModule);
