import { SERVICE_QUEUES } from '@jss/bus';
import { bootstrap } from '@jss/infra';
import { ScannerModule } from './src/scanner.module';

// one point at a time per process (a point's blocks are read SCANNER_CONCURRENCY at a time): idle scanners take the rest
void bootstrap('scanner', ScannerModule, () => [{ spec: SERVICE_QUEUES.scannerPoints, prefetch: 1 }]);
