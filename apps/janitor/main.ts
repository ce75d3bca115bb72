import { bootstrap } from '@jss/infra';
import { JanitorModule } from './src/janitor.module';

void bootstrap('janitor', JanitorModule);
