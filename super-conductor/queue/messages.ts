import type { FlavorSnapshot } from '../../child-cell/instance/index.js';

/**
 * The build queue's contract (API cell -> super-conductor). Versions:
 *   1: build a reservation's instances.
 * New fields must be optional so that an older super-conductor still understands.
 */
export const BUILD_JOB_VERSION = 1;
export const BUILD_QUEUE = 'builds';

export interface BuildJob {
  v: number;
  reservation_id: string;
  instance_uuids: string[];
  /** Fewer than this many placed fails the whole reservation. */
  min_count: number;
  request_id: string;
  /**
   * Names the job apart from its reservation's first one: builds handed back to the queue while
   * that job still runs (no host took them) are queued as a job of their own.
   */
  job_key?: string;
}

/** One live job per reservation: adding the same reservation twice while it waits is a no-op. */
export function buildJobId(reservationId: string, jobKey?: string): string {
  return jobKey ? `build-${reservationId}-${jobKey}` : `build-${reservationId}`;
}

/**
 * The move queue's contract (API cell -> super-conductor): work on a living instance that the
 * super-conductor carries out. Versions:
 *   1: move one instance (resize, cold and live migration, scheduled inside its cell).
 *   2: snapshot one instance into an image (createImage); moves are still sent as 1.
 *   3: shelve (and offload) one instance, unshelve one; the others are still sent as before.
 *   4: a move of kind evacuation (rebuild elsewhere in the cell, the source host being down).
 *   5: a snapshot with `rotation` (createBackup); a snapshot without it is still sent as 2.
 */
export const MOVE_JOB_VERSION = 1;
export const SNAPSHOT_JOB_VERSION = 2;
export const SHELVE_JOB_VERSION = 3;
export const EVACUATE_JOB_VERSION = 4;
export const BACKUP_JOB_VERSION = 5;
export const MOVE_QUEUE = 'moves';

export interface MoveJob {
  v: number;
  kind: 'resize' | 'migration' | 'live-migration' | 'evacuation';
  instance_uuid: string;
  cell_uuid: string;
  migration_uuid: string;
  /** The flavor after the move (the same one for a migration). */
  flavor: FlavorSnapshot;
  /** A host the caller named, or null for the scheduler's choice. */
  target_host: string | null;
  /** Evacuation at 2.95 or later: the server ends stopped on its new host. */
  power_off?: boolean;
  request_id: string;
}

export interface SnapshotJob {
  v: number;
  kind: 'snapshot';
  instance_uuid: string;
  cell_uuid: string;
  /** The queued image the snapshot fills. */
  image_uuid: string;
  /** A backup (5): once stored, only the newest `rotation` backups of its type are kept. */
  rotation?: number;
  request_id: string;
}

export interface ShelveJob {
  v: number;
  kind: 'shelve';
  instance_uuid: string;
  cell_uuid: string;
  /** The image the guest's disk goes to (queued until the host has copied it). */
  image_uuid: string;
  /** Take it off its host at once (shelved_offload_time 0, or shelveOffload). */
  offload: boolean;
  request_id: string;
}

export interface UnshelveJob {
  v: number;
  kind: 'unshelve';
  instance_uuid: string;
  cell_uuid: string;
  /** A zone asked for at unshelve (2.77), else the one the server was booted into. */
  availability_zone: string | null;
  /** Any zone, whatever the server was booted into (2.91, availability_zone null). */
  any_zone?: boolean;
  /** A host an admin asked for (2.91). */
  host?: string;
  request_id: string;
}

/** What the move queue carries. */
export type InstanceJob = MoveJob | SnapshotJob | ShelveJob | UnshelveJob;
