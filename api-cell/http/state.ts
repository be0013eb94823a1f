import type { Logger } from '../../ops/runtime/index.js';
import type { RequestContext } from '../context.js';
import type { Microversion } from './microversion.js';

/** What middleware leaves on ctx.state for the routes. */
export interface ApiState {
  requestId: string;
  log: Logger;
  context: RequestContext;
  version: Microversion;
  body: unknown;
}
