import { runService } from '../ops/runtime/index.js';
import { startSuperConductor } from './service.js';

await runService({ name: 'super-conductor', start: startSuperConductor });
