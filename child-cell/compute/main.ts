import { runService } from '../../ops/runtime/index.js';
import { startPool } from './service.js';

await runService({ name: 'compute-pool', options: ['hosts', 'prefix', 'fail-hosts'], start: startPool });
