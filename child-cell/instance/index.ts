export type { FlavorSnapshot, InstanceFault, InstanceRecord, NewInstance } from './record.js';
export { PowerState, serverStatus, TaskState, VmState } from './states.js';
export { moveStartTasks, moveSteps, type MoveKind, type MoveSteps } from './moves.js';
