import { Type, type TSchema } from '@sinclair/typebox';
import { booleanParam } from './flavors.js';
import { tag } from './common.js';

/** POST /servers/{id}/shares (2.97): a Manila share by id, with an optional mount tag. */
export const CreateShareBody: TSchema = Type.Object(
  {
    share: Type.Object(
      { share_id: Type.String({ format: 'uuid' }), tag: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-]*$' })) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const device = Type.Union([Type.String({ pattern: '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$' }), Type.Null()]);
const attach = (extra: Record<string, TSchema>): TSchema =>
  Type.Object(
    { volumeAttachment: Type.Object({ volumeId: Type.String({ format: 'uuid' }), device: Type.Optional(device), ...extra }, { additionalProperties: false }) },
    { additionalProperties: false },
  );

/** POST /servers/{id}/os-volume_attachments: a tag from 2.49, delete_on_termination from 2.79. */
export const AttachVolumeBody = attach({});
export const AttachVolumeBodyV249 = attach({ tag: Type.Optional(tag) });
export const AttachVolumeBodyV279 = attach({ tag: Type.Optional(tag), delete_on_termination: Type.Optional(booleanParam) });
export interface AttachVolumeBody {
  volumeAttachment: { volumeId: string; device?: string | null; tag?: string; delete_on_termination?: boolean | string };
}

/** PUT /servers/{id}/os-volume_attachments/{volume}: the new volume; from 2.85 the attachment's other fields too. */
export const UpdateVolumeAttachmentBody = Type.Object(
  { volumeAttachment: Type.Object({ volumeId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export const UpdateVolumeAttachmentBodyV285 = Type.Object(
  {
    volumeAttachment: Type.Object(
      {
        volumeId: Type.String({ format: 'uuid' }),
        device: Type.Optional(device),
        tag: Type.Optional(tag),
        delete_on_termination: Type.Optional(booleanParam),
        serverId: Type.Optional(Type.String({ format: 'uuid' })),
        id: Type.Optional(Type.String({ format: 'uuid' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
