export { BuildQueue, type BuildQueueOptions } from './client.js';
export { redisConnection } from './connection.js';
export { BUILD_JOB_VERSION, BUILD_QUEUE, buildJobId, EVACUATE_JOB_VERSION, MOVE_JOB_VERSION, MOVE_QUEUE, SHELVE_JOB_VERSION, SNAPSHOT_JOB_VERSION, type BuildJob, type InstanceJob, type MoveJob, type ShelveJob, type SnapshotJob, type UnshelveJob } from './messages.js';
export { MoveQueue } from './moves.js';
export { startBuildWorker, startMoveWorker, type BuildWorker, type BuildWorkerOptions, type MoveWorkerOptions } from './handler.js';
