export { failMove, moveInstance } from './move-task.js';
export { failSnapshot, snapshotInstance } from './snapshot-task.js';
