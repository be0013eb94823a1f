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
}

/** One live job per reservation: adding the same reservation twice while it waits is a no-op. */
export function buildJobId(reservationId: string): string {
  return `build-${reservationId}`;
}
