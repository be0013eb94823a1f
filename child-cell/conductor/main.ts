import { runService } from '../../ops/runtime/index.js';
import { startConductor } from './service.js';

await runService({ name: 'cell-conductor', start: startConductor });
