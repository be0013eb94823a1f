import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ExecutionContext } from 'ava';
import { responseSchemaOf } from '../../api-cell/http/responses/index.js';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv, ['uuid', 'ipv4', 'ipv6', 'date-time', 'uri']);
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Where an answer strays from its schema, one line per problem (none: it fits). */
export function shapeErrors(schema: TSchema, value: unknown): string[] {
  let check = compiled.get(schema);
  if (!check) {
    check = ajv.compile(schema);
    compiled.set(schema, check);
  }
  if (check(value)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is not valid'}${e.params && 'additionalProperty' in e.params ? ` ('${String(e.params['additionalProperty'])}')` : ''}`);
}

/** Fails the test, naming each stray field, unless the answer has the shape its schema gives. */
export function assertShape(t: ExecutionContext, schema: TSchema, value: unknown, what = 'answer'): void {
  const errors = shapeErrors(schema, value);
  t.deepEqual(errors, [], `${what} does not have its schema's shape:\n${errors.join('\n')}`);
}

/**
 * Where a successful compute answer strays from the schema of its route and microversion (the
 * version the answer names; a server action's by the action sent); nothing for routes without a
 * schema or answers without a body.
 */
export function answerShapeErrors(method: string, path: string, status: number, headers: Headers, body: unknown, text: string, requestBody?: unknown): string[] {
  if (status < 200 || status > 299 || text === '' || !(headers.get('content-type') ?? '').includes('json')) return [];
  const version = /compute (\d+)\.(\d+)/.exec(headers.get('openstack-api-version') ?? '');
  const v = { major: Number(version?.[1] ?? 2), minor: Number(version?.[2] ?? 1) };
  const schema = responseSchemaOf(method, path, v, requestBody);
  return schema ? shapeErrors(schema, body) : [];
}
