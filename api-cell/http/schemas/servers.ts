import { Type, type Static } from '@sinclair/typebox';
import { description, metadata, name, positiveInteger, tag, uuid } from './common.js';

const network = Type.Object(
  {
    uuid: Type.Optional(Type.String()),
    port: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    fixed_ip: Type.Optional(Type.String()),
    tag: Type.Optional(tag),
  },
  { additionalProperties: false },
);

const bdmInteger = Type.Union([Type.Integer(), Type.String({ pattern: '^-?[0-9]+$' }), Type.Null()]);
const bdmBoolean = Type.Union([Type.Boolean(), Type.String({ pattern: '^(true|false|True|False|TRUE|FALSE|1|0|yes|no)$' })]);

/** One block_device_mapping_v2 entry (Nova's block_device_mapping_new_item and the legacy keys it still takes). */
const blockDeviceMapping = Type.Object(
  {
    source_type: Type.Optional(Type.Union([Type.Literal('volume'), Type.Literal('image'), Type.Literal('snapshot'), Type.Literal('blank')])),
    destination_type: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('volume')])),
    uuid: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' })),
    image_id: Type.Optional(Type.String()),
    boot_index: Type.Optional(bdmInteger),
    device_name: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    volume_size: Type.Optional(bdmInteger),
    delete_on_termination: Type.Optional(bdmBoolean),
    guest_format: Type.Optional(Type.String({ maxLength: 255 })),
    device_type: Type.Optional(Type.String({ maxLength: 255 })),
    disk_bus: Type.Optional(Type.String({ maxLength: 255 })),
    tag: Type.Optional(tag),
    volume_type: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    no_device: Type.Optional(Type.Boolean()),
    volume_id: Type.Optional(Type.String()),
    snapshot_id: Type.Optional(Type.String()),
    virtual_name: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
);

/** The legacy block_device_mapping entry (a volume or a snapshot on a device name). */
const legacyBlockDeviceMapping = Type.Object(
  {
    device_name: Type.Optional(Type.String({ maxLength: 255 })),
    volume_id: Type.Optional(Type.String()),
    snapshot_id: Type.Optional(Type.String()),
    volume_size: Type.Optional(bdmInteger),
    delete_on_termination: Type.Optional(bdmBoolean),
    no_device: Type.Optional(Type.Boolean()),
    virtual_name: Type.Optional(Type.String({ maxLength: 255 })),
    connection_info: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Hints the scheduler reads are checked (Nova's schema); any other hint is kept as given. */
const instancesHint = Type.Optional(Type.Union([uuid, Type.Array(uuid)]));
const schedulerHints = Type.Object({ group: Type.Optional(uuid), same_host: instancesHint, different_host: instancesHint }, { additionalProperties: true });

/** POST /servers (Nova's servers create schema, the parts cellstack serves). */
export const CreateServerBody = Type.Object(
  {
    server: Type.Object(
      {
        name,
        imageRef: Type.Optional(Type.String({ maxLength: 255 })),
        flavorRef: Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Integer({ minimum: 1 })]),
        adminPass: Type.Optional(Type.String()),
        metadata: Type.Optional(metadata),
        networks: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('none'), Type.Array(network)])),
        'OS-DCF:diskConfig': Type.Optional(Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')])),
        accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
        accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
        key_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        availability_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        user_data: Type.Optional(Type.String({ maxLength: 65535, pattern: '^[A-Za-z0-9+/=\\s]*$' })),
        config_drive: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
        security_groups: Type.Optional(Type.Array(Type.Object({ name: Type.String() }, { additionalProperties: false }))),
        min_count: Type.Optional(positiveInteger),
        max_count: Type.Optional(positiveInteger),
        return_reservation_id: Type.Optional(Type.Union([Type.Boolean(), Type.String({ pattern: '^(true|false|True|False|TRUE|FALSE|1|0|yes|no)$' })])),
        description: Type.Optional(description),
        tags: Type.Optional(Type.Array(tag, { maxItems: 50 })),
        hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        hypervisor_hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        block_device_mapping_v2: Type.Optional(Type.Array(blockDeviceMapping)),
        block_device_mapping: Type.Optional(Type.Array(legacyBlockDeviceMapping)),
      },
      { additionalProperties: false },
    ),
    'os:scheduler_hints': Type.Optional(schedulerHints),
    'OS-SCH-HNT:scheduler_hints': Type.Optional(schedulerHints),
  },
  { additionalProperties: false },
);
export type CreateServerBody = Static<typeof CreateServerBody>;
