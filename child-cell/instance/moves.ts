import { TaskState } from './states.js';

/** How an instance moves: Nova's migration types. */
export type MoveKind = 'resize' | 'migration' | 'live-migration' | 'evacuation';

export interface MoveSteps {
  /** The instance action the API records and the events belong to. */
  action: string;
  /** The migration's status from the API until the scheduler has chosen a destination... */
  startStatus: string;
  /** ...while the destination takes it over... */
  runningStatus: string;
  /** ...and once the destination has it. */
  finishedStatus: string;
  /** The instance's task until a destination is chosen, then while it moves. */
  startTask: string;
  movingTask: string;
  /** The event the destination's finish is recorded as. */
  finishEvent: string;
}

/** Every side of a move (API, super-conductor, cell conductor) reads its steps from here. */
export const moveSteps: Record<MoveKind, MoveSteps> = {
  resize: {
    action: 'resize',
    startStatus: 'pre-migrating',
    runningStatus: 'migrating',
    finishedStatus: 'finished',
    startTask: TaskState.RESIZE_PREP,
    movingTask: TaskState.RESIZE_MIGRATING,
    finishEvent: 'compute_finish_resize',
  },
  migration: {
    action: 'migrate',
    startStatus: 'pre-migrating',
    runningStatus: 'migrating',
    finishedStatus: 'finished',
    startTask: TaskState.RESIZE_PREP,
    movingTask: TaskState.RESIZE_MIGRATING,
    finishEvent: 'compute_finish_resize',
  },
  'live-migration': {
    action: 'live-migration',
    startStatus: 'queued',
    runningStatus: 'running',
    finishedStatus: 'completed',
    startTask: TaskState.MIGRATING,
    movingTask: TaskState.MIGRATING,
    finishEvent: 'compute_live_migration',
  },
  evacuation: {
    action: 'evacuate',
    startStatus: 'accepted',
    runningStatus: 'running',
    finishedStatus: 'done',
    startTask: TaskState.REBUILDING,
    movingTask: TaskState.REBUILDING,
    finishEvent: 'compute_rebuild_instance',
  },
};

/** Tasks an instance is in before its move's destination is chosen, of any kind. */
export const moveStartTasks = [...new Set(Object.values(moveSteps).map((s) => s.startTask))];
