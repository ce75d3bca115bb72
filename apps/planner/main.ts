import { bootstrap } from '@jss/infra';
import { PlannerModule } from './src/planner.module';

void bootstrap('planner', PlannerModule);
