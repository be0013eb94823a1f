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

/** `hostname` from 2.90: a single DNS label; from 2.94 (FQDN) dots and underscores too, up to 255. */
export const HostnameV290 = Type.Object({ hostname: Type.String({ minLength: 2, maxLength: 63, pattern: '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$' }) });
export const HostnameV294 = Type.Object({ hostname: Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' }) });
