import { runService } from '../../ops/runtime/index.js';
import { startDashboard } from './service.js';

await runService({ name: 'dashboard', start: startDashboard });
