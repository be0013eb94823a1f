// The producer side of the build and move queues (BullMQ's Queue) and the job messages: what the
// API and the reaper use to give the super-conductor work. The consumer side is ./worker.
export { BuildQueue, type BuildQueueOptions } from './client.js';
export { redisConnection } from './connection.js';
export { BACKUP_JOB_VERSION, BUILD_JOB_VERSION, BUILD_QUEUE, buildJobId, EVACUATE_JOB_VERSION, MOVE_JOB_VERSION, MOVE_QUEUE, SHELVE_JOB_VERSION, SNAPSHOT_JOB_VERSION, type BuildJob, type InstanceJob, type MoveJob, type ShelveJob, type SnapshotJob, type UnshelveJob } from './messages.js';
export { MoveQueue } from './moves.js';
