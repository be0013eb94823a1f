/**
 * Named errors shared by every process. Each says whether retrying can help; across process
 * boundaries (queue, bus) they are matched by `code`, never by `instanceof`.
 */
export interface ErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

export class CellstackError extends Error {
  readonly code: string = 'internal';
  readonly retryable: boolean;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** Input that can never succeed as given: a bad URL, a malformed body, an unknown option. */
export class InvalidInputError extends CellstackError {
  override readonly code: string = 'invalid_input';
}

export class NotFoundError extends CellstackError {
  override readonly code: string = 'not_found';
}

/** The request clashes with current state: a duplicate name, a resource in use, a wrong state. */
export class ConflictError extends CellstackError {
  override readonly code: string = 'conflict';
}

/** The caller is not known: no credentials, bad credentials, an expired or revoked token. */
export class UnauthorizedError extends CellstackError {
  override readonly code: string = 'unauthorized';
}

export class ForbiddenError extends CellstackError {
  override readonly code: string = 'forbidden';
}

export class QuotaExceededError extends CellstackError {
  override readonly code: string = 'quota_exceeded';
}

/** A dependency (a cell's database or bus, Redis) did not answer; retrying later may work. */
export class UnavailableError extends CellstackError {
  override readonly code: string = 'unavailable';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}

export function errorCode(err: unknown): string {
  if (err instanceof CellstackError) return err.code;
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return 'internal';
}

/**
 * For `.catch`: a not-found error becomes what `instead` gives (a value, or an error it throws);
 * any other error (a database that did not answer) goes on as it was, never as "not found".
 */
export function ifNotFound<T>(instead: (err: unknown) => T): (err: unknown) => T {
  return (err) => {
    if (errorCode(err) === 'not_found') return instead(err);
    throw err;
  };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Sequelize's names for a database it could not reach or lost on the way. */
const unreachableNames = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeConnectionTimedOutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
]);
/** Driver and socket codes of the same (the mariadb driver's, Node's, ioredis'). */
const unreachableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ER_GET_CONNECTION_TIMEOUT', 'ER_CONNECTION_TIMEOUT', 'ER_SOCKET_UNEXPECTED_CLOSE', 'ER_CONNECTION_ALREADY_CLOSED',
  'ER_POOL_ALREADY_CLOSED', 'ER_CLOSING_POOL', 'ER_CMD_CONNECTION_CLOSED', 'ER_SERVER_SHUTDOWN',
]);

/**
 * Whether an error says a dependency (a database, Redis, a bus) is away rather than that the
 * request was wrong: the API answers those 503 with Retry-After, never 500. Follows the causes
 * libraries wrap (Sequelize's `parent` and `original`, `cause`).
 */
export function isUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 4 || typeof err !== 'object' || err === null) return false;
  if (err instanceof UnavailableError) return true;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; parent?: unknown; original?: unknown; cause?: unknown };
  if (typeof e.name === 'string' && (unreachableNames.has(e.name) || e.name === 'MaxRetriesPerRequestError')) return true;
  if (typeof e.code === 'string' && unreachableCodes.has(e.code)) return true;
  if (e.message === 'Connection is closed.') return true; // ioredis, a command sent while Redis is away
  return [e.parent, e.original, e.cause].some((inner) => inner !== err && isUnavailable(inner, depth + 1));
}
