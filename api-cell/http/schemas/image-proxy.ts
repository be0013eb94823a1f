import { Type, type TSchema } from '@sinclair/typebox';
import { metadata } from './common.js';

/** POST and PUT /images/{id}/metadata: the properties to merge in, or to replace them all with. */
export const ImageMetadataBody: TSchema = Type.Object({ metadata }, { additionalProperties: false });
export interface ImageMetadataBody {
  metadata: Record<string, string>;
}

/** PUT /images/{id}/metadata/{key}: exactly one property. */
export const ImageMetaItemBody: TSchema = Type.Object(
  { meta: Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }), { minProperties: 1, maxProperties: 1 }) },
  { additionalProperties: false },
);
export interface ImageMetaItemBody {
  meta: Record<string, string>;
}

const last = Type.Union([Type.String(), Type.Array(Type.String())]);
/** GET /images and /images/detail: Nova's image filters, paging, and `property-<name>`. */
export const ImageProxyQuery: TSchema = Type.Object(
  {
    name: Type.Optional(last),
    status: Type.Optional(last),
    'changes-since': Type.Optional(last),
    server: Type.Optional(last),
    type: Type.Optional(last),
    minRam: Type.Optional(last),
    minDisk: Type.Optional(last),
    limit: Type.Optional(last),
    marker: Type.Optional(last),
  },
  { additionalProperties: true },
);
export type ImageProxyQuery = Record<string, string | string[] | undefined>;
