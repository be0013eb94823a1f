import { Type, type Static } from '@sinclair/typebox';

/** POST /os-security-groups and PUT /os-security-groups/{id} (until 2.36): Nova checks the values itself (stripped, 1 to 255). */
export const SecurityGroupProxyBody = Type.Object({
  security_group: Type.Object({ name: Type.String(), description: Type.String() }),
});
export type SecurityGroupProxyBody = Static<typeof SecurityGroupProxyBody>;

const port = Type.Union([Type.Integer(), Type.String(), Type.Null()]);
/** POST /os-security-group-rules: an ingress rule of parent_group_id, from a CIDR or a group. */
export const SecurityGroupRuleProxyBody = Type.Object({
  security_group_rule: Type.Object({
    parent_group_id: Type.Union([Type.String(), Type.Integer()]),
    ip_protocol: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    from_port: Type.Optional(port),
    to_port: Type.Optional(port),
    cidr: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    group_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  }),
});
export type SecurityGroupRuleProxyBody = Static<typeof SecurityGroupRuleProxyBody>;
