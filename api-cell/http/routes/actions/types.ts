import type { ParameterizedContext } from 'koa';
import type { RequestContext } from '../../../context.js';
import type { Microversion } from '../../microversion.js';
import type { ApiState } from '../../state.js';

/** One server action as its handler sees it: the body already checked against the action's schema. */
export interface ActionCall {
  ctx: ParameterizedContext<ApiState>;
  context: RequestContext;
  version: Microversion;
  uuid: string;
  action: string;
  args: unknown;
}

/** Does the action; answers 202 with no body unless it sets ctx.status or ctx.body. */
export type ActionHandler = (call: ActionCall) => Promise<void>;
