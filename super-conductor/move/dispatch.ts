import type { TaskDeps } from '../deps.js';
import type { InstanceJob } from '../queue/index.js';
import { failMove, moveInstance } from './move-task.js';
import { failShelve, shelveInstance } from './shelve-task.js';
import { failSnapshot, snapshotInstance, type SnapshotDeps } from './snapshot-task.js';
import { failUnshelve, unshelveInstance } from './unshelve-task.js';

/** Runs one job of the move queue by its kind. */
export function runInstanceJob(deps: SnapshotDeps, job: InstanceJob): Promise<void> {
  switch (job.kind) {
    case 'snapshot':
      return snapshotInstance(deps, job);
    case 'shelve':
      return shelveInstance(deps, job);
    case 'unshelve':
      return unshelveInstance(deps, job);
    default:
      return moveInstance(deps, job);
  }
}

/** Puts things right after a job of the move queue failed for good. */
export function failInstanceJob(deps: TaskDeps, job: InstanceJob, reason: string): Promise<void> {
  switch (job.kind) {
    case 'snapshot':
      return failSnapshot(deps, job, reason);
    case 'shelve':
      return failShelve(deps, job, reason);
    case 'unshelve':
      return failUnshelve(deps, job, reason);
    default:
      return failMove(deps, job, reason);
  }
}
