import { Type } from '@sinclair/typebox';

/** Nova's parameter types, as JSON Schema. */
export const name = Type.String({ minLength: 1, maxLength: 255, pattern: '^(?![\\s])[\\S\\s]*(?<![\\s])$' });
export const description = Type.Union([Type.String({ minLength: 0, maxLength: 255 }), Type.Null()]);
/** A positive integer, also accepted as a string of digits (python clients send both). */
export const positiveInteger = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[0-9]*[1-9][0-9]*$' })]);
export const metadata = Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }), {
  propertyNames: { minLength: 1, maxLength: 255 },
});
export const tag = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^,/]*$' });
export const uuid = Type.String({ format: 'uuid' });
