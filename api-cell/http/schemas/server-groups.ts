import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { name, positiveInteger } from './common.js';

const oneOf = (values: string[]) => Type.Unsafe<string>({ type: 'string', enum: values });
const hardPolicies = ['anti-affinity', 'affinity'];
const allPolicies = [...hardPolicies, 'soft-anti-affinity', 'soft-affinity'];

/** Below 2.64 a group has a list of exactly one policy. */
const withPolicies = (policies: string[]) =>
  Type.Object(
    {
      server_group: Type.Object(
        { name, policies: Type.Array(oneOf(policies), { minItems: 1, maxItems: 1, uniqueItems: true }) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  );

/** POST /os-server-groups, 2.1 to 2.14: affinity or anti-affinity. */
export const CreateServerGroupV21 = withPolicies(hardPolicies);
/** 2.15 to 2.63: the soft policies too. */
export const CreateServerGroupV215 = withPolicies(allPolicies);
/** From 2.64: one `policy`, and `rules` (max_server_per_host, for anti-affinity only). */
export const CreateServerGroupV264 = Type.Object(
  {
    server_group: Type.Object(
      {
        name,
        policy: oneOf(allPolicies),
        rules: Type.Optional(Type.Object({ max_server_per_host: Type.Optional(positiveInteger) }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type CreateServerGroupLegacy = Static<typeof CreateServerGroupV215>;
export type CreateServerGroupV264 = Static<typeof CreateServerGroupV264>;

const listParams = {
  all_projects: Type.Optional(Type.Unknown()),
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
};
/** GET /os-server-groups: unknown parameters are ignored until 2.75, refused from it. */
export const ListServerGroupsQuery: TSchema = Type.Object(listParams, { additionalProperties: true });
export const ListServerGroupsQueryV275: TSchema = Type.Object(listParams, { additionalProperties: false });
export interface ListServerGroupsQuery {
  all_projects?: unknown;
  limit?: number;
  offset?: number;
}
