import { SERVICE_QUEUES, UNKNOWN_COMMAND, UNREADABLE_COMMAND } from '@jss/bus';
import { bootstrap } from '@jss/infra';
import { PlannerModule } from './src/planner.module';

void bootstrap('planner', PlannerModule, () => [
  { spec: SERVICE_QUEUES.plannerCommands, prefetch: 8, fallback: UNKNOWN_COMMAND, unreadable: UNREADABLE_COMMAND },
  { spec: SERVICE_QUEUES.plannerReplies, prefetch: 16 },
]);
