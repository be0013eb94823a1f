export { failMove, moveInstance } from './move-task.js';
export { failSnapshot, snapshotInstance } from './snapshot-task.js';
export { failShelve, shelveInstance } from './shelve-task.js';
export { failUnshelve, unshelveInstance } from './unshelve-task.js';
export { failInstanceJob, runInstanceJob } from './dispatch.js';
export { offloadShelved } from './shelved-offload.js';
export { reclaimSoftDeleted } from './reclaim.js';
