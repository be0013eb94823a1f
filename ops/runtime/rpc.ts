import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { JSONCodec, type Msg, type NatsConnection, type Subscription } from 'nats';
import { CellstackError, errorCode, errorMessage, InvalidInputError, isUnavailable, UnavailableError } from './errors.js';
import type { Logger } from './log.js';

/** Every message on a cellstack bus: which method, at which version, with which arguments. */
export interface RpcEnvelope {
  v: number;
  method: string;
  args: unknown;
  request_id?: string;
  /** Sender's clock (ms since epoch): lets the receiver measure lag. */
  sent_at?: number;
}

export interface RpcErrorShape {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
}

type RpcReply = { ok: true; result: unknown } | { ok: false; error: RpcErrorShape };

/** An error raised on the other side of the bus, carried back by name and code. */
export class RemoteError extends CellstackError {
  override readonly code: string;
  readonly remoteName: string;

  constructor(shape: RpcErrorShape) {
    super(shape.message, { retryable: shape.retryable });
    this.code = shape.code;
    this.remoteName = shape.name;
  }
}

export interface RpcContext {
  requestId: string | undefined;
  sentAt: number | undefined;
  log: Logger;
}

/** One method a service serves: the newest message version it understands and its argument schema. */
export interface RpcMethod<A = never, R = unknown> {
  version: number;
  schema: TSchema;
  handle(args: A, context: RpcContext): Promise<R>;
}

// Methods are declared with precise argument types; the table only needs to call them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RpcMethods = Record<string, RpcMethod<any, unknown>>;

const codec = JSONCodec<unknown>();
const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: true });
const validators = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

export interface ServeOptions {
  /** Queue group: several servers on one subject share its messages. */
  queue?: string;
  methods: RpcMethods;
  log: Logger;
  /** Called once per message handled, for metrics. */
  onHandled?: (method: string, ok: boolean, seconds: number) => void;
}

/** Serves methods on a subject. Requests get a reply; casts (no reply subject) are handled silently. */
export function serveRpc(nc: NatsConnection, subject: string, options: ServeOptions): Subscription {
  return nc.subscribe(subject, {
    ...(options.queue === undefined ? {} : { queue: options.queue }),
    callback: (err, msg) => {
      if (err) {
        options.log.error({ err: errorMessage(err), subject }, 'bus subscription failed');
        return;
      }
      void handleMessage(msg, options);
    },
  });
}

async function handleMessage(msg: Msg, options: ServeOptions): Promise<void> {
  const started = process.hrtime.bigint();
  let envelope: RpcEnvelope | undefined;
  let reply: RpcReply;
  try {
    envelope = decodeEnvelope(msg.data);
    const method = options.methods[envelope.method];
    if (!method) throw new InvalidInputError(`unknown method ${envelope.method}`);
    if (envelope.v > method.version) {
      throw new InvalidInputError(`${envelope.method} version ${envelope.v} is newer than ${method.version}, the newest served here`);
    }
    const validate = validatorFor(method.schema);
    if (!validate(envelope.args)) {
      throw new InvalidInputError(`${envelope.method}: ${ajv.errorsText(validate.errors, { dataVar: 'args' })}`);
    }
    const log = envelope.request_id ? options.log.child({ request_id: envelope.request_id }) : options.log;
    const result = await method.handle(envelope.args as never, {
      requestId: envelope.request_id,
      sentAt: envelope.sent_at,
      log,
    });
    reply = { ok: true, result: result ?? null };
  } catch (err) {
    reply = { ok: false, error: errorShape(err) };
    const level = reply.error.code === 'internal' ? 'error' : 'warn';
    options.log[level]({ err: errorMessage(err), method: envelope?.method, request_id: envelope?.request_id }, 'bus method failed');
  }
  options.onHandled?.(envelope?.method ?? 'invalid', reply.ok, Number(process.hrtime.bigint() - started) / 1e9);
  if (msg.reply) msg.respond(codec.encode(reply));
}

function decodeEnvelope(data: Uint8Array): RpcEnvelope {
  let value: unknown;
  try {
    value = codec.decode(data);
  } catch (cause) {
    throw new InvalidInputError('message is not JSON', { cause });
  }
  const e = value as Partial<RpcEnvelope> | null;
  if (!e || typeof e !== 'object' || typeof e.method !== 'string' || typeof e.v !== 'number') {
    throw new InvalidInputError('message lacks a method and version');
  }
  return e as RpcEnvelope;
}

/** How an error travels back over the bus (a batch reply carries one per item). */
export function errorShape(err: unknown): RpcErrorShape {
  // A database or Redis the handler needed was away: the caller may send it again (a host's
  // report to its conductor is resent until it lands), so say so whatever library raised it.
  if (!(err instanceof CellstackError) && isUnavailable(err)) {
    return { name: 'UnavailableError', code: 'unavailable', message: errorMessage(err), retryable: true };
  }
  const retryable = err instanceof CellstackError ? err.retryable : false;
  const name = err instanceof Error ? err.name : 'Error';
  return { name, code: errorCode(err), message: errorMessage(err), retryable };
}

export interface CallOptions {
  version: number;
  timeoutMs?: number;
  requestId?: string | undefined;
}

/** Sends a request and waits for the reply; the remote side's errors come back as RemoteError. */
export async function callRpc<R>(
  nc: NatsConnection,
  subject: string,
  method: string,
  args: unknown,
  options: CallOptions,
): Promise<R> {
  const envelope = makeEnvelope(method, args, options);
  let msg: Msg;
  try {
    msg = await nc.request(subject, codec.encode(envelope), { timeout: options.timeoutMs ?? 10_000 });
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why = code === '503' ? 'nothing is listening' : code === 'TIMEOUT' ? 'no answer in time' : errorMessage(cause);
    throw new UnavailableError(`${method} to ${subject}: ${why}`, { cause });
  }
  const reply = codec.decode(msg.data) as RpcReply;
  if (!reply.ok) throw new RemoteError(reply.error);
  return reply.result as R;
}

/** The call found nobody subscribed to the subject (the service is gone, not just slow). */
export function isNoResponders(err: unknown): boolean {
  return err instanceof UnavailableError && (err.cause as { code?: string } | undefined)?.code === '503';
}

/** Publishes without waiting: for messages whose loss the receiver's next periodic report covers. */
export function castRpc(nc: NatsConnection, subject: string, method: string, args: unknown, options: CallOptions): void {
  nc.publish(subject, codec.encode(makeEnvelope(method, args, options)));
}

function makeEnvelope(method: string, args: unknown, options: CallOptions): RpcEnvelope {
  return {
    v: options.version,
    method,
    args,
    ...(options.requestId === undefined ? {} : { request_id: options.requestId }),
    sent_at: Date.now(),
  };
}
