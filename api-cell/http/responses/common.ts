import { Type, type TProperties, type TSchema } from '@sinclair/typebox';

/** Building blocks of Nova's answers, as JSON Schema (checked in tests, never on the request path). */
export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const dateTime = Type.String({ format: 'date-time' });
export const link = Type.Object({ rel: Type.String(), href: Type.String({ format: 'uri' }), type: Type.Optional(Type.String()) }, { additionalProperties: false });
export const links = Type.Array(link);

/** A closed object: every property named, the optional ones in `optional`. */
export function strict(required: TProperties, optional: TProperties = {}): TSchema {
  const props: TProperties = { ...required };
  for (const [key, schema] of Object.entries(optional)) props[key] = Type.Optional(schema);
  return Type.Object(props, { additionalProperties: false });
}
