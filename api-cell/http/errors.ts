import { CellstackError, errorCode, errorMessage, isUnavailable } from '../../ops/runtime/index.js';

export { UnauthorizedError } from '../../ops/runtime/index.js';
export class PayloadTooLargeError extends CellstackError {
  override readonly code: string = 'too_large';
}
export class UnsupportedMediaTypeError extends CellstackError {
  override readonly code: string = 'unsupported_media_type';
}
export class NotAcceptableError extends CellstackError {
  override readonly code: string = 'not_acceptable';
}
export class MethodNotAllowedError extends CellstackError {
  override readonly code: string = 'method_not_allowed';
}
/** What a real deployment's driver cannot do (Nova's HTTPNotImplemented). */
export class NotImplementedError extends CellstackError {
  override readonly code: string = 'not_implemented';
}

/** Error codes to HTTP statuses and Nova's fault names; the one place errors become HTTP. */
const faults: Record<string, [number, string]> = {
  invalid_input: [400, 'badRequest'],
  unauthorized: [401, 'unauthorized'],
  forbidden: [403, 'forbidden'],
  quota_exceeded: [403, 'forbidden'],
  not_found: [404, 'itemNotFound'],
  method_not_allowed: [405, 'badMethod'],
  not_acceptable: [406, 'computeFault'],
  conflict: [409, 'conflictingRequest'],
  unexpected_state: [409, 'conflictingRequest'],
  too_large: [413, 'overLimit'],
  over_limit: [413, 'overLimit'],
  unsupported_media_type: [415, 'badMediaType'],
  not_implemented: [501, 'notImplemented'],
  unavailable: [503, 'serviceUnavailable'],
};

export interface Fault {
  status: number;
  name: string;
  message: string;
  /** Server-side failures are logged with their detail; clients get a generic message. */
  internal: boolean;
}

/** Seconds a client is told to wait (Retry-After) when a part of the cloud is away. */
export const RETRY_AFTER_S = 5;

export function toFault(err: unknown): Fault {
  const known = faults[errorCode(err)];
  if (known) return { status: known[0], name: known[1], message: errorMessage(err), internal: false };
  // A database or Redis that went away is no bug of the request: the client may try again.
  if (isUnavailable(err)) {
    return { status: 503, name: 'serviceUnavailable', message: 'A service this request needs is unavailable right now; try again later.', internal: false };
  }
  return {
    status: 500,
    name: 'computeFault',
    message: 'Unexpected API Error. Please report this with the request id and attach the API log if possible.',
    internal: true,
  };
}
