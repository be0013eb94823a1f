import { Type, type Static } from '@sinclair/typebox';
import { name, uuid } from './common.js';

/** Nova's az_name: printable, no ':', no leading or trailing whitespace. */
const azName = Type.String({ minLength: 1, maxLength: 255, pattern: '^(?![\\s])[^:]*(?<![\\s])$' });
const zone = Type.Union([azName, Type.Null()]);
/** Nova's name_with_leading_trailing_spaces: at least one non-space character (stripped afterwards). */
const paddedName = Type.String({ minLength: 1, maxLength: 255, pattern: '\\S' });
/** Nova's fqdn: a host name as the services table has it. */
export const hostName = Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' });

export const CreateAggregateBody = Type.Object(
  { aggregate: Type.Object({ name, availability_zone: Type.Optional(zone) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type CreateAggregateBody = Static<typeof CreateAggregateBody>;

export const UpdateAggregateBody = Type.Object(
  {
    aggregate: Type.Object(
      { name: Type.Optional(paddedName), availability_zone: Type.Optional(zone) },
      { additionalProperties: false, anyOf: [{ required: ['name'] }, { required: ['availability_zone'] }] },
    ),
  },
  { additionalProperties: false },
);
export type UpdateAggregateBody = Static<typeof UpdateAggregateBody>;

const hostAction = Type.Object({ host: hostName }, { additionalProperties: false });
export const AddHostBody = Type.Object({ add_host: hostAction }, { additionalProperties: false });
export type AddHostBody = Static<typeof AddHostBody>;
export const RemoveHostBody = Type.Object({ remove_host: hostAction }, { additionalProperties: false });
export type RemoveHostBody = Static<typeof RemoveHostBody>;

/** Nova's metadata_with_null: a null value removes the key. */
const metadataWithNull = Type.Record(Type.String({ pattern: '^[a-zA-Z0-9_:. -]{1,255}$' }), Type.Union([Type.String({ maxLength: 255 }), Type.Null()]), {
  additionalProperties: false,
});
export const SetMetadataBody = Type.Object(
  { set_metadata: Type.Object({ metadata: metadataWithNull }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type SetMetadataBody = Static<typeof SetMetadataBody>;

/** POST /os-aggregates/{id}/images (2.81): images to pre-cache on the aggregate's hosts. */
export const CacheImagesBody = Type.Object(
  { cache: Type.Array(Type.Object({ id: uuid }, { additionalProperties: false }), { minItems: 1 }) },
  { additionalProperties: false },
);
export type CacheImagesBody = Static<typeof CacheImagesBody>;
