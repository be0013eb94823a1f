// The consumer side of the build and move queues (BullMQ's Worker): only the super-conductor
// starts these. Producers (the API, the reaper) use ../index.ts, which holds the job messages.
export { startBuildWorker, startMoveWorker, type QueueWorker, type WorkerOptions } from './handler.js';
