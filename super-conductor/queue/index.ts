export { BuildQueue, type BuildQueueOptions } from './client.js';
export { redisConnection } from './connection.js';
export { BUILD_JOB_VERSION, BUILD_QUEUE, buildJobId, type BuildJob } from './messages.js';
export { startBuildWorker, type BuildWorker, type BuildWorkerOptions } from './handler.js';
