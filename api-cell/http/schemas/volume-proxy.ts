import { Type } from '@sinclair/typebox';

const text = Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()]));
const size = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[0-9]*[1-9][0-9]*$' })]);

/** POST /os-volumes (Nova's volume proxy, until 2.35). */
export const ProxyVolumeBody = Type.Object(
  {
    volume: Type.Object(
      {
        size,
        display_name: text,
        display_description: text,
        volume_type: text,
        availability_zone: text,
        snapshot_id: text,
        metadata: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }))),
        imageRef: text,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** POST /os-snapshots (until 2.35). */
export const ProxySnapshotBody = Type.Object(
  {
    snapshot: Type.Object(
      {
        volume_id: Type.String(),
        force: Type.Optional(Type.Union([Type.Boolean(), Type.String({ enum: ['True', 'true', 'False', 'false', '1', '0', 'yes', 'no'] })])),
        display_name: text,
        display_description: text,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
