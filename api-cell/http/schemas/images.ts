import { Type, type TSchema } from '@sinclair/typebox';

const nullable = (schema: TSchema) => Type.Union([schema, Type.Null()]);
const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];
const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
const oneOf = (values: string[], description: string) => Type.Union([Type.Null(), ...values.map((v) => Type.Literal(v))], { description });

/** Attributes a client may set (Glance's image schema, the writable part). */
export const WRITABLE = {
  name: nullable(Type.String({ maxLength: 255, description: 'Descriptive name for the image' })),
  visibility: Type.Union(['public', 'private', 'shared', 'community'].map((v) => Type.Literal(v)), { description: 'Scope of image accessibility' }),
  protected: Type.Boolean({ description: 'If true, image will not be deletable.' }),
  os_hidden: Type.Boolean({ description: 'If true, image will not appear in default image list response.' }),
  disk_format: oneOf(DISK_FORMATS, 'Format of the disk'),
  container_format: oneOf(CONTAINER_FORMATS, 'Format of the container'),
  min_ram: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'Amount of ram (in MB) required to boot image.' }),
  min_disk: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'Amount of disk space (in GB) required to boot image.' }),
  tags: Type.Array(Type.String({ maxLength: 255 }), { uniqueItems: true, maxItems: 128, description: 'List of strings related to the image' }),
  owner: nullable(Type.String({ maxLength: 255, description: 'Owner of the image' })),
} satisfies Record<string, TSchema>;

/** Attributes the registry sets; a client naming one gets a 403. */
export const READ_ONLY = ['id', 'status', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'created_at', 'updated_at', 'self', 'file', 'schema', 'direct_url', 'locations'];

/** An extra property: a string, as Glance stores them. */
export const PropertyValue = Type.String({ maxLength: 65535 });
export const PropertyName = Type.String({ minLength: 1, maxLength: 255 });

/** POST /image/v2/images: writable attributes, an optional id, and string properties. */
export const CreateImageBody = Type.Object(
  { id: Type.Optional(Type.String({ format: 'uuid' })), ...Object.fromEntries(Object.entries(WRITABLE).map(([k, s]) => [k, Type.Optional(s)])) },
  { additionalProperties: PropertyValue, propertyNames: { minLength: 1, maxLength: 255 } },
);

/** PATCH /image/v2/images/{id} (application/openstack-images-v2.1-json-patch). */
export const ImagePatchBody = Type.Array(
  Type.Object(
    {
      op: Type.Union([Type.Literal('add'), Type.Literal('replace'), Type.Literal('remove')]),
      path: Type.String({ pattern: '^/[^/]+$' }),
      value: Type.Optional(Type.Unknown()),
    },
    { additionalProperties: false },
  ),
);
export interface ImagePatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** Query parameters of GET /image/v2/images; anything else filters on a property. */
export const ImageListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 0 })),
    marker: Type.Optional(Type.String()),
    sort_key: Type.Optional(Type.String()),
    sort_dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    sort: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
    visibility: Type.Optional(Type.Union(['public', 'private', 'shared', 'community', 'all'].map((v) => Type.Literal(v)))),
    owner: Type.Optional(Type.String()),
    tag: Type.Optional(Type.Array(Type.String())),
    disk_format: Type.Optional(Type.String()),
    container_format: Type.Optional(Type.String()),
    size_min: Type.Optional(Type.Integer({ minimum: 0 })),
    size_max: Type.Optional(Type.Integer({ minimum: 0 })),
    protected: Type.Optional(Type.Boolean()),
    os_hidden: Type.Optional(Type.Boolean()),
    member_status: Type.Optional(Type.String()),
  },
  { additionalProperties: Type.String() },
);
