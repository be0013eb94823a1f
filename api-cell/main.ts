import { runService } from '../ops/runtime/index.js';
import { startApi } from './service.js';

await runService({ name: 'api', start: startApi, workers: (config) => config.api.workers });
