import { Type, type TSchema } from '@sinclair/typebox';

// Request bodies of the Block Storage API as Cinder's schemas take them (cinder/api/schemas):
// unknown keys are refused; clients send null for what they leave out.
const nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));
const name = nullable(Type.String({ maxLength: 255 }));
const metadataValues = Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }));
const metadata = Type.Optional(metadataValues);
const uuid = Type.String({ format: 'uuid' });
/** Cinder takes a size as an integer or a string of digits. */
const size = Type.Union([Type.Integer({ minimum: 1, maximum: 2147483647 }), Type.String({ pattern: '^[0-9]+$' })]);
const BOOL_WORDS = ['true', 'false', 'True', 'False', 'TRUE', 'FALSE', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0', 'on', 'off'];
const boolish = Type.Union([Type.Boolean(), Type.String({ enum: BOOL_WORDS })]);

/** What Cinder reads as true in a boolean-ish field. */
export const truthy = (value: boolean | string | undefined): boolean => (typeof value === 'boolean' ? value : ['true', 't', 'yes', 'y', '1', 'on'].includes(String(value).toLowerCase()));

export const CreateVolumeBody = Type.Object(
  {
    volume: Type.Object(
      {
        size: nullable(size),
        name,
        description: name,
        display_name: name,
        display_description: name,
        volume_type: nullable(Type.String({ maxLength: 255 })),
        availability_zone: nullable(Type.String({ maxLength: 255 })),
        snapshot_id: nullable(uuid),
        source_volid: nullable(uuid),
        imageRef: nullable(Type.String({ maxLength: 255 })),
        image_id: nullable(Type.String({ maxLength: 255 })),
        metadata: Type.Optional(Type.Union([Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 })), Type.Null()])),
        multiattach: Type.Optional(boolish),
        consistencygroup_id: nullable(uuid),
        backup_id: nullable(uuid),
        group_id: nullable(uuid),
        source_replica: Type.Optional(Type.Null()),
      },
      { additionalProperties: false },
    ),
    'OS-SCH-HNT:scheduler_hints': Type.Optional(Type.Union([Type.Object({}), Type.Null()])),
  },
  { additionalProperties: false },
);

export const UpdateVolumeBody = Type.Object(
  { volume: Type.Object({ name, description: name, display_name: name, display_description: name, metadata }, { additionalProperties: false }) },
  { additionalProperties: false },
);

const object = (properties: Record<string, TSchema>) => Type.Object(properties, { additionalProperties: false });
const emptyOrNull = Type.Union([Type.Object({}), Type.Null()]);

/** The body of each volume action served, by its name (one action a request). */
export const VOLUME_ACTIONS: Record<string, TSchema> = {
  'os-extend': object({ new_size: size }),
  'os-reset_status': object({
    status: Type.Optional(Type.String({ enum: ['available', 'error', 'creating', 'deleting', 'in-use', 'attaching', 'detaching', 'error_deleting', 'maintenance', 'reserved', 'error_extending', 'extending'] })),
    attach_status: Type.Optional(Type.String({ enum: ['attached', 'detached'] })),
    migration_status: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  }),
  'os-force_delete': emptyOrNull,
  'os-set_bootable': object({ bootable: boolish }),
  'os-reserve': emptyOrNull,
  'os-unreserve': emptyOrNull,
  'os-begin_detaching': emptyOrNull,
  'os-roll_detaching': emptyOrNull,
  'os-attach': object({
    instance_uuid: Type.Optional(uuid),
    host_name: Type.Optional(Type.String({ maxLength: 255 })),
    mountpoint: Type.String({ maxLength: 255 }),
    mode: Type.Optional(Type.String({ enum: ['rw', 'ro'] })),
  }),
  'os-detach': Type.Union([object({ attachment_id: Type.Optional(Type.Union([uuid, Type.Null()])) }), Type.Null()]),
  'os-force_detach': Type.Union([object({ attachment_id: Type.Optional(Type.Union([uuid, Type.Null()])), connector: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])) }), Type.Null()]),
  'os-update_readonly_flag': object({ readonly: boolish }),
  'os-initialize_connection': object({ connector: Type.Record(Type.String(), Type.Unknown()) }),
  'os-terminate_connection': object({ connector: Type.Record(Type.String(), Type.Unknown()) }),
};

export const CreateSnapshotBody = Type.Object(
  {
    snapshot: Type.Object(
      { volume_id: Type.Union([uuid, Type.Null()]), name, description: name, display_name: name, display_description: name, force: Type.Optional(boolish), metadata: Type.Optional(Type.Union([metadataValues, Type.Null()])) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const UpdateSnapshotBody = Type.Object(
  { snapshot: Type.Object({ name, description: name, display_name: name, display_description: name, metadata }, { additionalProperties: false }) },
  { additionalProperties: false },
);

export const SnapshotActionBody = Type.Union([
  Type.Object({ 'os-reset_status': Type.Object({ status: Type.String({ enum: ['available', 'error', 'creating', 'deleting', 'error_deleting'] }) }, { additionalProperties: false }) }, { additionalProperties: false }),
  Type.Object({ 'os-force_delete': Type.Union([Type.Object({}), Type.Null()]) }, { additionalProperties: false }),
]);

const extraSpecs = Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }));

export const CreateTypeBody = Type.Object(
  {
    volume_type: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255 }),
        description: name,
        'os-volume-type-access:is_public': Type.Optional(boolish),
        extra_specs: Type.Optional(extraSpecs),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const UpdateTypeBody = Type.Object(
  {
    volume_type: Type.Object(
      { name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), description: name, is_public: Type.Optional(boolish) },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);

export const ExtraSpecsBody = Type.Object({ extra_specs: extraSpecs }, { additionalProperties: false });
/** PUT /types/{id}/extra_specs/{key}: that one key and its value. */
export const ExtraSpecItemBody = Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }), { minProperties: 1, maxProperties: 1 });

const connector = Type.Record(Type.String(), Type.Unknown());

export const CreateAttachmentBody = Type.Object(
  {
    attachment: Type.Object(
      { volume_uuid: uuid, instance_uuid: nullable(uuid), connector: nullable(connector), mode: Type.Optional(Type.String({ enum: ['rw', 'ro'] })) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const UpdateAttachmentBody = Type.Object({ attachment: Type.Object({ connector }, { additionalProperties: false }) }, { additionalProperties: false });

export const AttachmentActionBody = Type.Object({ 'os-complete': Type.Union([Type.Object({}), Type.Null()]) }, { additionalProperties: false });

const limit = Type.Union([Type.Integer({ minimum: -1 }), Type.String({ pattern: '^-?[0-9]+$' })]);

export const QuotaSetBody = Type.Object(
  {
    quota_set: Type.Object(
      {
        volumes: Type.Optional(limit),
        snapshots: Type.Optional(limit),
        gigabytes: Type.Optional(limit),
        per_volume_gigabytes: Type.Optional(limit),
        backups: Type.Optional(limit),
        backup_gigabytes: Type.Optional(limit),
        groups: Type.Optional(limit),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const metadataMap = Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }));
export const MetadataBody = Type.Object({ metadata: metadataMap }, { additionalProperties: false });
export const MetadataItemBody = Type.Object({ meta: Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 255 }), { minProperties: 1, maxProperties: 1 }) }, { additionalProperties: false });

/** PUT /os-quota-class-sets/{class}: Cinder's resources, and per-type ones (`volumes_gold`). */
export const QuotaClassSetBody = Type.Object(
  {
    quota_class_set: Type.Object(
      { volumes: Type.Optional(limit), snapshots: Type.Optional(limit), gigabytes: Type.Optional(limit), per_volume_gigabytes: Type.Optional(limit), backups: Type.Optional(limit), backup_gigabytes: Type.Optional(limit), groups: Type.Optional(limit) },
      { additionalProperties: false, patternProperties: { '^(volumes|snapshots|gigabytes)_.+$': limit } },
    ),
  },
  { additionalProperties: false },
);
