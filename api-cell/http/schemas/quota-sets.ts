import { Type, type TSchema } from '@sinclair/typebox';

/** A limit: -1 (unlimited) up to the database's largest int, as a number or a string of digits. */
const limit = Type.Union([Type.Integer({ minimum: -1, maximum: 0x7fffffff }), Type.String({ pattern: '^-?[0-9]+$' })]);
/** Nova's boolean parameter type. */
const boolean = Type.Union([
  Type.Boolean(),
  Type.Unsafe<string>({
    type: 'string',
    enum: ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'],
  }),
]);

const current = ['instances', 'cores', 'ram', 'metadata_items', 'key_pairs', 'server_groups', 'server_group_members'];
const injected = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'];
const network = ['fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules'];

const update = (resources: string[]) =>
  Type.Object(
    {
      quota_set: Type.Object(
        { ...Object.fromEntries(resources.map((r) => [r, Type.Optional(limit)])), force: Type.Optional(boolean) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  );
const updateClass = (resources: string[]) =>
  Type.Object(
    { quota_class_set: Type.Object(Object.fromEntries(resources.map((r) => [r, Type.Optional(limit)])), { additionalProperties: false }) },
    { additionalProperties: false },
  );

/** PUT /os-quota-sets/{id}: every resource below 2.36; no network ones from 2.36; no injected files from 2.57. */
export const UpdateQuotaSetV21 = update([...current, ...injected, ...network]);
export const UpdateQuotaSetV236 = update([...current, ...injected]);
export const UpdateQuotaSetV257 = update(current);
/** PUT /os-quota-class-sets/{class}: every resource below 2.50; no network ones from 2.50; no injected files from 2.57. */
export const UpdateQuotaClassV21 = updateClass([...current, ...injected, ...network]);
export const UpdateQuotaClassV250 = updateClass([...current, ...injected]);
export const UpdateQuotaClassV257 = updateClass(current);
export interface UpdateQuotaClassBody {
  quota_class_set: Record<string, number | string>;
}
export interface UpdateQuotaSetBody {
  quota_set: Record<string, number | string | boolean>;
}

/** Nova's strings for true. */
export const isTrue = (value: unknown): boolean => value === true || (typeof value === 'string' && /^(true|1|on|yes)$/i.test(value));

const userQuery = { user_id: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) };
/** show, detail, update and delete take `user_id`; unknown parameters are refused from 2.75. */
export const QuotaSetQuery: TSchema = Type.Object(userQuery, { additionalProperties: true });
export const QuotaSetQueryV275: TSchema = Type.Object(userQuery, { additionalProperties: false });

const tenantQuery = { tenant_id: Type.Optional(Type.String()) };
/** GET /limits: `tenant_id` (admins); unknown parameters are refused from 2.75. */
export const LimitsQuery: TSchema = Type.Object(tenantQuery, { additionalProperties: true });
export const LimitsQueryV275: TSchema = Type.Object(tenantQuery, { additionalProperties: false });
