import { Type, type TSchema } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { InvalidInputError } from '../../ops/runtime/index.js';
import { atLeast, type Microversion } from './microversion.js';

// Query strings are all strings: coerce to the schema's types; a repeated key arrives as an array.
const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: 'array', useDefaults: true });
addFormats.default(ajv, ['uuid', 'date-time']);
const compiled = new WeakMap<TSchema, ValidateFunction>();
/** Query objects (Koa keeps one per request) some route has checked against its schema. */
const checked = new WeakSet<object>();

/** Checks and coerces query parameters; a bad one is a 400 naming it. */
export function validateQuery<T>(schema: TSchema, query: Record<string, unknown>): T {
  let check = compiled.get(schema);
  if (!check) {
    check = ajv.compile(schema);
    compiled.set(schema, check);
  }
  checked.add(query);
  const copy = structuredClone(query);
  if (!check(copy)) {
    const error = check.errors?.[0];
    const name = error?.instancePath.split('/').filter(Boolean)[0] ?? String(error?.params['additionalProperty'] ?? 'query');
    throw new InvalidInputError(`Invalid input for query parameters ${name}. ${error?.message ?? ''}`.trim());
  }
  return copy as T;
}

const noParameters: TSchema = Type.Object({}, { additionalProperties: false });

/** For APIs that take no query parameters: from `version` on (2.102 for most), any parameter is a 400. */
export function strictQuery(ctx: { query: Record<string, unknown>; state: { version: Microversion } }, version: string): void {
  if (atLeast(ctx.state.version, version)) validateQuery(noParameters, ctx.query);
}

const allowedSchemas = new Map<string, TSchema>();

/** For routes that read their parameters by hand: from 2.102 any other parameter is a 400. */
export function allowQuery(ctx: { query: Record<string, unknown>; state: { version: Microversion } }, names: string[]): void {
  checked.add(ctx.query);
  if (!atLeast(ctx.state.version, '2.102')) return;
  const key = names.join(',');
  let schema = allowedSchemas.get(key);
  if (!schema) {
    schema = Type.Object(Object.fromEntries(names.map((n) => [n, Type.Optional(Type.Unknown())])), { additionalProperties: false });
    allowedSchemas.set(key, schema);
  }
  validateQuery(schema, ctx.query);
}

/**
 * From 2.102 Nova refuses unknown query parameters on every API: a GET whose route checked no
 * parameters of its own (it takes none) is refused if it was given any.
 */
export function refuseUncheckedQuery(query: Record<string, unknown>): void {
  if (!checked.has(query) && Object.keys(query).length > 0) validateQuery(noParameters, query);
}
