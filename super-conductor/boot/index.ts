export { buildReservations } from './build-task.js';
export type { BuildDeps } from './deps.js';
export { failReservation } from './fail.js';
export { returnToQueue, type Unstarted } from './requeue.js';
export { watchBuilds, type WatchCounts } from './watchdog.js';
