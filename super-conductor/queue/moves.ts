import { Queue } from 'bullmq';
import { redisConnection } from './connection.js';
import { BACKUP_JOB_VERSION, EVACUATE_JOB_VERSION, MOVE_JOB_VERSION, MOVE_QUEUE, SHELVE_JOB_VERSION, SNAPSHOT_JOB_VERSION, type InstanceJob, type MoveJob, type ShelveJob, type SnapshotJob, type UnshelveJob } from './messages.js';

/** The only way to ask the super-conductor for a move, a snapshot, a shelve or an unshelve. */
export class MoveQueue {
  private readonly connection: ReturnType<typeof redisConnection>;
  private readonly queue: Queue<InstanceJob>;

  constructor(options: { redisUrl: string; prefix: string; attempts: number }) {
    this.connection = redisConnection(options.redisUrl, 'cellstack-move-queue');
    this.queue = new Queue<InstanceJob>(MOVE_QUEUE, {
      connection: this.connection,
      prefix: options.prefix,
      skipWaitingForReady: true,
      defaultJobOptions: { attempts: options.attempts, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: true, removeOnFail: { age: 24 * 3600 } },
    });
    this.queue.on('error', () => undefined);
  }

  async enqueue(job: Omit<MoveJob, 'v'>): Promise<void> {
    const v = job.kind === 'evacuation' ? EVACUATE_JOB_VERSION : MOVE_JOB_VERSION;
    await this.queue.add('move', { v, ...job }, { jobId: `move-${job.migration_uuid}` });
  }

  /** One job per image: asking again for the same image while it waits adds nothing. */
  async enqueueSnapshot(job: Omit<SnapshotJob, 'v' | 'kind'>): Promise<void> {
    const v = job.rotation === undefined ? SNAPSHOT_JOB_VERSION : BACKUP_JOB_VERSION;
    await this.queue.add('snapshot', { v, kind: 'snapshot', ...job }, { jobId: `snapshot-${job.image_uuid}` });
  }

  /** One job per request: the same request enqueued twice adds nothing. */
  async enqueueShelve(job: Omit<ShelveJob, 'v' | 'kind'>): Promise<void> {
    await this.queue.add('shelve', { v: SHELVE_JOB_VERSION, kind: 'shelve', ...job }, { jobId: `shelve-${job.instance_uuid}-${job.request_id}` });
  }

  /** Many shelve jobs in one queue write (the periodic offload). */
  async enqueueShelves(jobs: Omit<ShelveJob, 'v' | 'kind'>[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(jobs.map((job) => ({ name: 'shelve', data: { v: SHELVE_JOB_VERSION, kind: 'shelve' as const, ...job }, opts: { jobId: `shelve-${job.instance_uuid}-${job.request_id}` } })));
  }

  async enqueueUnshelve(job: Omit<UnshelveJob, 'v' | 'kind'>): Promise<void> {
    await this.queue.add('unshelve', { v: SHELVE_JOB_VERSION, kind: 'unshelve', ...job }, { jobId: `unshelve-${job.instance_uuid}-${job.request_id}` });
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
