import { Type, type Static } from '@sinclair/typebox';
import { description, metadata, name, tag } from './common.js';

/** PUT /servers/{id}. */
export const UpdateServerBody = Type.Object(
  {
    server: Type.Object(
      {
        name: Type.Optional(name),
        description: Type.Optional(description),
        hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$' })),
        accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
        accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
        'OS-DCF:diskConfig': Type.Optional(Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type UpdateServerBody = Static<typeof UpdateServerBody>;

/** PUT and POST /servers/{id}/metadata. */
export const MetadataBody = Type.Object({ metadata }, { additionalProperties: false });
export type MetadataBody = Static<typeof MetadataBody>;

/** PUT /servers/{id}/metadata/{key}: exactly one item, the one the URL names. */
export const MetaItemBody = Type.Object({ meta: Type.Intersect([metadata, Type.Object({}, { minProperties: 1, maxProperties: 1 })]) }, { additionalProperties: false });
export type MetaItemBody = Static<typeof MetaItemBody>;

/** PUT /servers/{id}/tags. */
export const TagsBody = Type.Object({ tags: Type.Array(tag) }, { additionalProperties: false });
export type TagsBody = Static<typeof TagsBody>;
