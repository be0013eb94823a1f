import { Type, type Static } from '@sinclair/typebox';

const text = Type.String({ maxLength: 255 });
const csv = Type.String({ maxLength: 2048 });

/** GET /servers and /servers/detail query parameters (unknown ones are ignored, as Nova does). */
export const ServerListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 0 })),
    marker: Type.Optional(text),
    sort_key: Type.Optional(Type.Array(text, { maxItems: 20 })),
    sort_dir: Type.Optional(Type.Array(text, { maxItems: 20 })),
    name: Type.Optional(text),
    status: Type.Optional(text),
    image: Type.Optional(text),
    flavor: Type.Optional(text),
    host: Type.Optional(text),
    node: Type.Optional(text),
    reservation_id: Type.Optional(text),
    availability_zone: Type.Optional(text),
    key_name: Type.Optional(text),
    user_id: Type.Optional(text),
    project_id: Type.Optional(text),
    tenant_id: Type.Optional(text),
    'changes-since': Type.Optional(text),
    'changes-before': Type.Optional(text),
    all_tenants: Type.Optional(Type.String()),
    deleted: Type.Optional(Type.String()),
    locked: Type.Optional(Type.String()),
    tags: Type.Optional(csv),
    'tags-any': Type.Optional(csv),
    'not-tags': Type.Optional(csv),
    'not-tags-any': Type.Optional(csv),
    power_state: Type.Optional(Type.Integer()),
    progress: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    ip: Type.Optional(text),
    ip6: Type.Optional(text),
  },
  { additionalProperties: true },
);
export type ServerListQuery = Static<typeof ServerListQuery>;
