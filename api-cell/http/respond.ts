import type { ParameterizedContext } from 'koa';
import type { ApiState } from './state.js';

/** A body-less answer with the status Nova gives it (202 for some deletes, 200 for others). */
export function noContent(ctx: ParameterizedContext<ApiState>, status: number): void {
  // Koa turns a null body into 204; the explicit status afterwards keeps Nova's code, still with no body.
  ctx.body = null;
  ctx.status = status;
}

/** Nova reads the last of a repeated query parameter. */
export const lastOf = <T>(values: T[] | undefined): T | undefined => values?.[values.length - 1];
