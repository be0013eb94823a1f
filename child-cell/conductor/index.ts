export { ConductorClient } from './client.js';
export { CONDUCTOR_VERSION, type PingResult } from './messages.js';
export { startConductor } from './service.js';
