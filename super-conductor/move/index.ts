export { failMove, moveInstance } from './move-task.js';
