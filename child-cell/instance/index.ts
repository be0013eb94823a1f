export type { FlavorSnapshot, InstanceFault, InstanceRecord } from './record.js';
export {
  buildMessage,
  INSTANCE_VERSION,
  instanceFromRow,
  instanceRow,
  readInstance,
  type BuildSubject,
  type Instance,
  type InstanceRowRead,
  type NewInstance,
  type Placed,
} from './instance.js';
export { PowerState, serverStatus, SHELVE_TASKS, SNAPSHOT_TASKS, TaskState, VmState } from './states.js';
export { moveStartTasks, moveSteps, type MoveKind, type MoveSteps } from './moves.js';
