import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { InvalidInputError } from '../../ops/runtime/index.js';

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false });
addFormats.default(ajv, ['uuid', 'ipv4', 'ipv6', 'date-time', 'uri']);
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Checks a body against its schema; the first problem becomes a 400 in Nova's words. */
export function validate<T>(schema: TSchema, value: unknown): T {
  let check = compiled.get(schema);
  if (!check) {
    check = ajv.compile(schema);
    compiled.set(schema, check);
  }
  if (!check(value)) throw new InvalidInputError(describe(check.errors?.[0], value));
  return value as T;
}

function describe(error: ErrorObject | undefined, root: unknown): string {
  if (!error) return 'Invalid input.';
  const path = error.instancePath.split('/').filter(Boolean).join('/');
  if (error.keyword === 'required') return `'${String(error.params['missingProperty'])}' is a required property`;
  if (error.keyword === 'additionalProperties') {
    return `Additional properties are not allowed ('${String(error.params['additionalProperty'])}' was unexpected)`;
  }
  const value = valueAt(root, error.instancePath);
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return `Invalid input for field/attribute ${path || 'body'}. Value: ${shown}. ${messageOf(error, value)}`;
}

function messageOf(error: ErrorObject, value: unknown): string {
  const quoted = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  switch (error.keyword) {
    case 'maxLength':
      return `${quoted} is too long`;
    case 'minLength':
      return `${quoted} is too short`;
    case 'type':
      return `${quoted} is not of type '${String(error.params['type'])}'`;
    case 'enum':
      return `${quoted} is not one of ${JSON.stringify(error.params['allowedValues'])}`;
    case 'pattern':
      return `${quoted} does not match '${String(error.params['pattern'])}'`;
    case 'format':
      return `${quoted} is not a '${String(error.params['format'])}'`;
    default:
      return `${quoted} ${error.message ?? 'is not valid'}`;
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const part of pointer.split('/').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}
