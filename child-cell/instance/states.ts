/** Nova's vm_state values: the state an instance rests in. */
export const VmState = {
  BUILDING: 'building',
  ACTIVE: 'active',
  STOPPED: 'stopped',
  PAUSED: 'paused',
  SUSPENDED: 'suspended',
  RESIZED: 'resized',
  RESCUED: 'rescued',
  SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved_offloaded',
  ERROR: 'error',
  DELETED: 'deleted',
  SOFT_DELETED: 'soft-delete',
} as const;
export type VmState = (typeof VmState)[keyof typeof VmState];

/** Nova's task_state values: what is being done to an instance right now (null when idle). */
export const TaskState = {
  SCHEDULING: 'scheduling',
  NETWORKING: 'networking',
  SPAWNING: 'spawning',
  DELETING: 'deleting',
  REBOOTING: 'rebooting',
  REBOOTING_HARD: 'rebooting_hard',
  POWERING_OFF: 'powering-off',
  POWERING_ON: 'powering-on',
  PAUSING: 'pausing',
  UNPAUSING: 'unpausing',
  SUSPENDING: 'suspending',
  RESUMING: 'resuming',
  RESCUING: 'rescuing',
  UNRESCUING: 'unrescuing',
  SHELVING: 'shelving',
  SHELVING_IMAGE_PENDING_UPLOAD: 'shelving_image_pending_upload',
  SHELVING_IMAGE_UPLOADING: 'shelving_image_uploading',
  SHELVING_OFFLOADING: 'shelving_offloading',
  UNSHELVING: 'unshelving',
  UPDATING_PASSWORD: 'updating_password',
  SOFT_DELETING: 'soft-deleting',
  RESTORING: 'restoring',
  REBUILDING: 'rebuilding',
  RESIZE_PREP: 'resize_prep',
  RESIZE_MIGRATING: 'resize_migrating',
  RESIZE_FINISH: 'resize_finish',
  RESIZE_REVERTING: 'resize_reverting',
  RESIZE_CONFIRMING: 'resize_confirming',
  MIGRATING: 'migrating',
  IMAGE_SNAPSHOT: 'image_snapshot',
  IMAGE_BACKUP: 'image_backup',
  IMAGE_SNAPSHOT_PENDING: 'image_snapshot_pending',
  IMAGE_PENDING_UPLOAD: 'image_pending_upload',
  IMAGE_UPLOADING: 'image_uploading',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** The tasks of a createImage (or createBackup), from the API's first to the host's last. */
export const SNAPSHOT_TASKS: string[] = [TaskState.IMAGE_SNAPSHOT, TaskState.IMAGE_BACKUP, TaskState.IMAGE_SNAPSHOT_PENDING, TaskState.IMAGE_PENDING_UPLOAD, TaskState.IMAGE_UPLOADING];
/** The tasks of a shelve, offloading included: the super-conductor's job drives them all. */
export const SHELVE_TASKS: string[] = [TaskState.SHELVING, TaskState.SHELVING_IMAGE_PENDING_UPLOAD, TaskState.SHELVING_IMAGE_UPLOADING, TaskState.SHELVING_OFFLOADING];

/** Nova's power_state values, as the hypervisor reports them. */
export const PowerState = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const;
export type PowerState = (typeof PowerState)[keyof typeof PowerState];

const vmStatus: Record<string, string> = {
  building: 'BUILD',
  active: 'ACTIVE',
  stopped: 'SHUTOFF',
  paused: 'PAUSED',
  suspended: 'SUSPENDED',
  resized: 'VERIFY_RESIZE',
  error: 'ERROR',
  deleted: 'DELETED',
  'soft-delete': 'SOFT_DELETED',
  rescued: 'RESCUE',
  shelved: 'SHELVED',
  shelved_offloaded: 'SHELVED_OFFLOADED',
};

const taskStatus: Record<string, string> = {
  rebooting: 'REBOOT',
  reboot_pending: 'REBOOT',
  reboot_started: 'REBOOT',
  rebooting_hard: 'HARD_REBOOT',
  reboot_pending_hard: 'HARD_REBOOT',
  reboot_started_hard: 'HARD_REBOOT',
  rebuilding: 'REBUILD',
  rebuild_block_device_mapping: 'REBUILD',
  rebuild_spawning: 'REBUILD',
  resize_prep: 'RESIZE',
  resize_migrating: 'RESIZE',
  resize_migrated: 'RESIZE',
  resize_finish: 'RESIZE',
  resize_reverting: 'REVERT_RESIZE',
  migrating: 'MIGRATING',
  updating_password: 'PASSWORD',
  deleting: 'ACTIVE',
};

/** The API's `status` for a vm_state and task_state (Nova's state map). */
export function serverStatus(vmState: string, taskState: string | null): string {
  if (vmState === 'active' && taskState) return taskStatus[taskState] ?? 'ACTIVE';
  if (vmState === 'stopped' && (taskState === 'resize_prep' || taskState === 'resize_migrating')) return 'RESIZE';
  return vmStatus[vmState] ?? 'UNKNOWN';
}
