import { CellstackError } from '../../ops/runtime/index.js';

/** A volume quota would be passed: Cinder answers 413 overLimit (Nova's quota errors are 403). */
export class VolumeLimitExceededError extends CellstackError {
  override readonly code: string = 'over_limit';
}
