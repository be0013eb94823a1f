import { Queue } from 'bullmq';
import { UnavailableError, type Dependencies } from '../../ops/runtime/index.js';
import { redisConnection } from './connection.js';
import { BUILD_JOB_VERSION, BUILD_QUEUE, buildJobId, type BuildJob } from './messages.js';

export interface BuildQueueOptions {
  redisUrl: string;
  prefix: string;
  attempts: number;
}

const live = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** The only way to give the super-conductor work: the API and the reaper enqueue builds here. */
export class BuildQueue {
  private readonly queue: Queue<BuildJob>;
  private readonly connection: ReturnType<typeof redisConnection>;

  constructor(private readonly options: BuildQueueOptions) {
    this.connection = redisConnection(options.redisUrl, 'cellstack-build-queue');
    this.queue = new Queue<BuildJob>(BUILD_QUEUE, {
      connection: this.connection,
      prefix: options.prefix,
      skipWaitingForReady: true,
    });
    this.queue.on('error', () => undefined);
  }

  /** Enqueues a reservation's build; a reservation already waiting or running is left alone. */
  enqueue(job: Omit<BuildJob, 'v'>, timeoutMs = 3000): Promise<void> {
    return this.enqueueMany([job], timeoutMs);
  }

  /** Enqueues several reservations in one round trip to Redis. */
  async enqueueMany(jobs: Omit<BuildJob, 'v'>[], timeoutMs = 3000, delayMs = 0): Promise<void> {
    const adding = this.queue.addBulk(
      jobs.map((job) => ({
        name: 'build',
        data: { v: BUILD_JOB_VERSION, ...job },
        opts: {
          jobId: buildJobId(job.reservation_id, job.job_key),
          attempts: this.options.attempts,
          ...(delayMs > 0 ? { delay: delayMs } : {}),
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: { age: 24 * 3600 },
        },
      })),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new UnavailableError(`the build queue did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([adding, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Tells `dependencies` whenever the queue's Redis goes away or comes back. */
  watch(dependencies: Dependencies, name = 'redis'): void {
    dependencies.watchRedis(name, this.connection);
  }

  /** Of these reservations, those with a job waiting, delayed or running (asked all at once). */
  async liveReservations(reservationIds: string[]): Promise<Set<string>> {
    const states = await Promise.all(reservationIds.map((rid) => this.queue.getJobState(buildJobId(rid))));
    return new Set(reservationIds.filter((_, i) => live.has(String(states[i]))));
  }

  /**
   * Marks this Redis as holding the queue's jobs; false when the mark was missing, that is when
   * Redis came back empty (it keeps nothing on disk) or this is the queue's first use.
   */
  async markEpoch(): Promise<boolean> {
    const set = await this.connection.set(`${this.options.prefix}:epoch`, String(Date.now()), 'NX');
    return set !== 'OK';
  }

  /** Whether the reservation has a job waiting, delayed or running. */
  async hasLiveJob(reservationId: string): Promise<boolean> {
    const job = await this.queue.getJob(buildJobId(reservationId));
    if (!job) return false;
    return live.has(await job.getState());
  }

  /** Drops a finished or failed job record so the reservation can be enqueued afresh. */
  async forget(reservationId: string): Promise<void> {
    const job = await this.queue.getJob(buildJobId(reservationId));
    if (job && !(await this.hasLiveJob(reservationId))) await job.remove();
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  /** Takes a lock for `ms` if nobody holds it: one reaper at a time among super-conductors. */
  async lead(name: string, ms: number): Promise<boolean> {
    const ok = await this.connection.set(`${this.options.prefix}:lead:${name}`, String(process.pid), 'PX', ms, 'NX');
    return ok === 'OK';
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
