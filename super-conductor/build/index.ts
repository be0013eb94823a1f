export { buildReservations } from './build-task.js';
export type { BuildDeps } from './deps.js';
export { failReservation } from './fail.js';
