import type { ExecutionContext } from 'ava';

interface FaultResponse {
  status: number;
  body: unknown;
}

/**
 * Asserts an OpenStack fault: the status, the same code in the body and, if given, the fault's
 * name (`badRequest`, `itemNotFound`, ...) and a pattern its message matches.
 */
export function fault(t: ExecutionContext, res: FaultResponse, status: number, message?: RegExp): void;
export function fault(t: ExecutionContext, res: FaultResponse, status: number, name: string, message?: RegExp): void;
export function fault(t: ExecutionContext, res: FaultResponse, status: number, nameOrMessage?: string | RegExp, message?: RegExp): void {
  t.is(res.status, status, JSON.stringify(res.body));
  const faults = (res.body ?? {}) as Record<string, { code: number; message: string } | undefined>;
  const name = typeof nameOrMessage === 'string' ? nameOrMessage : undefined;
  const pattern = typeof nameOrMessage === 'string' ? message : nameOrMessage;
  const body = name === undefined ? Object.values(faults)[0] : faults[name];
  if (name !== undefined) t.truthy(body, `fault named ${name}: ${JSON.stringify(res.body)}`);
  t.is(body?.code, status);
  if (pattern) t.regex(body?.message ?? '', pattern);
}
