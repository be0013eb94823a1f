import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { CellstackError, errorMessage, type Logger } from '../../../ops/runtime/index.js';
import { BUILD_JOB_VERSION, BUILD_QUEUE, MOVE_QUEUE, BACKUP_JOB_VERSION, redisConnection, type BuildJob, type InstanceJob } from '../index.js';

/** A worker on one of the super-conductor's queues. */
export interface WorkerOptions<T> {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  lockMs: number;
  log: Logger;
  /** Does the work; throwing a retryable error retries the job, any other fails it at once. */
  run(job: T): Promise<void>;
  /** Called when a job has failed for good, so its servers can be put in ERROR rather than lost. */
  onFailed(job: T, reason: string): Promise<void>;
}

export interface QueueWorker {
  close(): Promise<void>;
}

/** The super-conductor's side of the build queue. */
export function startBuildWorker(options: WorkerOptions<BuildJob>): QueueWorker {
  return startWorker<BuildJob>(BUILD_QUEUE, BUILD_JOB_VERSION, options);
}

/** The super-conductor's side of the move queue (moves, shelves, snapshots and backups). */
export function startMoveWorker(options: WorkerOptions<InstanceJob>): QueueWorker {
  return startWorker<InstanceJob>(MOVE_QUEUE, BACKUP_JOB_VERSION, options);
}

function startWorker<T extends { v: number }>(queue: string, version: number, options: WorkerOptions<T>): QueueWorker {
  const connection = redisConnection(options.redisUrl, `cellstack-super-conductor-${queue}`);
  const worker = new Worker<T>(
    queue,
    async (job: Job<T>) => {
      if (job.data.v > version) {
        throw new UnrecoverableError(`${queue} job version ${job.data.v} is newer than ${version}`);
      }
      try {
        await options.run(job.data);
      } catch (err) {
        const retryable = !(err instanceof CellstackError) || err.retryable;
        if (!retryable) throw new UnrecoverableError(errorMessage(err));
        throw err;
      }
    },
    {
      connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      // A super-conductor killed mid-job: its lock lapses and another takes the job again.
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      maxStalledCount: 10,
    },
  );
  worker.on('error', (err) => options.log.error({ err: errorMessage(err) }, 'build queue connection error'));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    options.log.warn({ queue, job: job.id, attempt: job.attemptsMade, final, err: errorMessage(err) }, 'job failed');
    if (final) void options.onFailed(job.data, errorMessage(err)).catch((e: unknown) => options.log.error({ err: errorMessage(e) }, 'could not record a failed build'));
  });
  return {
    async close() {
      await worker.close();
      // BullMQ leaves a connection it was given open.
      connection.disconnect();
    },
  };
}
