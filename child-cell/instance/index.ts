export type { FlavorSnapshot, InstanceFault, InstanceRecord, NewInstance } from './record.js';
export { PowerState, serverStatus, SHELVE_TASKS, SNAPSHOT_TASKS, TaskState, VmState } from './states.js';
export { moveStartTasks, moveSteps, type MoveKind, type MoveSteps } from './moves.js';
