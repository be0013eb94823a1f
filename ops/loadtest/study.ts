import type { RunOptions } from './run.js';
import type { Study } from './scenario.js';

export async function runStudy(study: Study, _o: RunOptions): Promise<void> {
  throw new Error(`study ${study.name}: not written yet`);
}
