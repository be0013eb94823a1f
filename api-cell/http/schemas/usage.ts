import { Type, type TSchema } from '@sinclair/typebox';

const window = { start: Type.Optional(Type.Unknown()), end: Type.Optional(Type.Unknown()) };
const paging = { limit: Type.Optional(Type.Integer({ minimum: 0 })), marker: Type.Optional(Type.String()) };
const detailed = { detailed: Type.Optional(Type.Unknown()) };

/** GET /os-simple-tenant-usage: paging from 2.40, unknown parameters refused from 2.75. */
export const UsageListQuery: TSchema = Type.Object({ ...window, ...detailed }, { additionalProperties: true });
export const UsageListQueryV240: TSchema = Type.Object({ ...window, ...detailed, ...paging }, { additionalProperties: true });
export const UsageListQueryV275: TSchema = Type.Object({ ...window, ...detailed, ...paging }, { additionalProperties: false });
/** GET /os-simple-tenant-usage/{tenant_id}: the same without `detailed`. */
export const UsageShowQuery: TSchema = Type.Object(window, { additionalProperties: true });
export const UsageShowQueryV240: TSchema = Type.Object({ ...window, ...paging }, { additionalProperties: true });
export const UsageShowQueryV275: TSchema = Type.Object({ ...window, ...paging }, { additionalProperties: false });
export interface UsageQuery {
  start?: unknown;
  end?: unknown;
  detailed?: unknown;
  limit?: number;
  marker?: string;
}
