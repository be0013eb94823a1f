import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, QuotaExceededError } from '../../ops/runtime/index.js';

/**
 * Neutron names each error in its body (`{"NeutronError": {"type": "NetworkNotFound", ...}}`);
 * these carry that name beside the usual code, which still decides the HTTP status.
 */
export interface NeutronTyped {
  readonly neutronType: string;
}

const typed = <T extends new (message: string) => Error>(Base: T) =>
  (neutronType: string, message: string): InstanceType<T> & NeutronTyped => Object.assign(new Base(message) as InstanceType<T>, { neutronType });

export const notFound = typed(NotFoundError);
export const badRequest = typed(InvalidInputError);
export const conflict = typed(ConflictError);
export const forbidden = typed(ForbiddenError);
export const overQuota = typed(QuotaExceededError);

/** The `type` of a NeutronError body: the error's own, else what Neutron says for the status. */
export function neutronTypeOf(err: unknown, status: number): string {
  if (typeof err === 'object' && err !== null && 'neutronType' in err && typeof err.neutronType === 'string') return err.neutronType;
  const byStatus: Record<number, string> = { 400: 'HTTPBadRequest', 401: 'HTTPUnauthorized', 403: 'HTTPForbidden', 404: 'HTTPNotFound', 405: 'HTTPMethodNotAllowed', 409: 'HTTPConflict', 413: 'HTTPRequestEntityTooLarge', 415: 'HTTPUnsupportedMediaType', 503: 'HTTPServiceUnavailable' };
  return byStatus[status] ?? 'HTTPInternalServerError';
}
