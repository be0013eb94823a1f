import type Router from '@koa/router';
import type { RequestContext } from '../../context.js';
import type { ApiState } from '../../http/state.js';
import { execute } from '../../../ops/runtime-db/index.js';
import { conflict, notFound } from '../errors.js';
import { listPage, pickFields, standardColumns, type ListSpec } from '../listing.js';
import { updateRow } from '../networks.js';
import { checkQuota } from '../quotas.js';
import { checkRule, createGroup, defaultGroupIds, deleteGroup, findGroup, insertRules, refuseDuplicateRule, rulesOf, type RuleRow, type SecurityGroupRow } from '../security-groups.js';
import { bodyOf, bool, callerOf, notAuthorized, ownerFor, ownScope, paramOf, queryOf, registerList, requireWriter, standardAttributes, type Ctx, type NetworkDeps } from './common.js';
import { CreateRule, CreateSecurityGroup, UpdateSecurityGroup, type RuleBody, type SecurityGroupBody } from './schemas.js';

const groupList: ListSpec = {
  table: 'security_groups',
  resource: 'security_group',
  columns: { ...standardColumns, name: { sql: 'name' }, description: { sql: 'description' }, stateful: { sql: 'stateful', kind: 'bool' } },
};
const ruleList: ListSpec = {
  table: 'security_group_rules',
  resource: 'security_group_rule',
  columns: {
    ...standardColumns,
    security_group_id: { sql: 'security_group_id' }, direction: { sql: 'direction' },
    ethertype: { sql: 'ethertype' }, protocol: { sql: 'protocol' }, port_range_min: { sql: 'port_range_min', kind: 'int' }, port_range_max: { sql: 'port_range_max', kind: 'int' },
    remote_ip_prefix: { sql: 'remote_ip_prefix' }, remote_group_id: { sql: 'remote_group_id' }, description: { sql: 'description' },
  },
};


export function ruleView(r: RuleRow): Record<string, unknown> {
  return {
    id: r.id, security_group_id: r.security_group_id, direction: r.direction, ethertype: r.ethertype, protocol: r.protocol, port_range_min: r.port_range_min,
    port_range_max: r.port_range_max, remote_ip_prefix: r.remote_ip_prefix, remote_group_id: r.remote_group_id, remote_address_group_id: null, normalized_cidr: r.remote_ip_prefix,
    description: r.description, belongs_to_default_sg: null, ...standardAttributes(r),
  };
}

export function groupView(g: SecurityGroupRow, rules: RuleRow[]): Record<string, unknown> {
  return { id: g.id, name: g.name, description: g.description, stateful: bool(g.stateful), shared: false, security_group_rules: rules.map(ruleView), ...standardAttributes(g) };
}

/** Any look at security groups makes the caller's project its default group first, as Neutron does. */
const ensureDefault = (deps: NetworkDeps, caller: RequestContext) => defaultGroupIds(deps.db, [caller.projectId]);

async function visibleGroup(deps: NetworkDeps, caller: RequestContext, id: string): Promise<SecurityGroupRow> {
  const group = await findGroup(deps.db, id);
  if (!caller.isAdmin && group.project_id !== caller.projectId) throw notFound('SecurityGroupNotFound', `Security group ${id} does not exist`);
  return group;
}

async function showGroup(deps: NetworkDeps, caller: RequestContext, id: string): Promise<Record<string, unknown>> {
  return groupView(await visibleGroup(deps, caller, id), await rulesOf(deps.db, [id]));
}

function registerGroupRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  registerList<SecurityGroupRow>(router, deps, {
    path: 'security-groups',
    key: 'security_groups',
    spec: groupList,
    scope: ownScope,
    before: (caller) => ensureDefault(deps, caller),
    views: async (rows) => {
      const rules = await rulesOf(deps.db, rows.map((g) => g.id));
      return rows.map((g) => groupView(g, rules.filter((r) => r.security_group_id === g.id)));
    },
  });
  router.get('/security-groups/:id', async (ctx) => {
    ctx.body = { security_group: pickFields(await showGroup(deps, callerOf(ctx), paramOf(ctx, 'id')), queryOf(ctx)) };
  });
  router.post('/security-groups', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'create_security_group');
    const body = bodyOf<{ security_group: SecurityGroupBody }>(ctx, CreateSecurityGroup).security_group;
    const project = ownerFor(caller, body, 'create_security_group');
    if (body.name === 'default') throw conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
    await defaultGroupIds(deps.db, [project]);
    const id = await deps.db.sequelize.transaction((transaction) => createGroup({ sequelize: deps.db.sequelize, transaction }, project, body.name ?? '', body.description ?? '', body.stateful ?? true));
    ctx.status = 201;
    ctx.body = { security_group: await showGroup(deps, caller, id) };
  });
  router.put('/security-groups/:id', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'update_security_group');
    const id = paramOf(ctx, 'id');
    const body = bodyOf<{ security_group: Partial<SecurityGroupBody> }>(ctx, UpdateSecurityGroup).security_group;
    const group = await visibleGroup(deps, caller, id);
    if (group.default_of && body.name !== undefined && body.name !== 'default') throw conflict('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
    const changes: Record<string, unknown> = {};
    if (body.name !== undefined) changes['name'] = body.name;
    if (body.description !== undefined) changes['description'] = body.description;
    if (body.stateful !== undefined) changes['stateful'] = body.stateful ? 1 : 0;
    await updateRow(deps.db, 'security_groups', id, changes);
    ctx.body = { security_group: await showGroup(deps, caller, id) };
  });
  router.delete('/security-groups/:id', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'delete_security_group');
    const group = await visibleGroup(deps, caller, paramOf(ctx, 'id'));
    if (group.default_of && !caller.isAdmin) throw conflict('SecurityGroupCannotRemoveDefault', 'Removing default security group not allowed.');
    await deleteGroup(deps.db, group);
    ctx.status = 204;
  });
}

async function createRule(deps: NetworkDeps, ctx: Ctx): Promise<void> {
  const caller = callerOf(ctx);
  requireWriter(caller, 'create_security_group_rule');
  const body = bodyOf<{ security_group_rule: RuleBody }>(ctx, CreateRule).security_group_rule;
  const group = await visibleGroup(deps, caller, body.security_group_id);
  if (body.remote_group_id) await visibleGroup(deps, caller, body.remote_group_id);
  const project = ownerFor(caller, body, 'create_security_group_rule');
  if (project !== group.project_id && !caller.isAdmin) throw notAuthorized('create_security_group_rule');
  const rule = checkRule({
    security_group_id: group.id,
    project_id: group.project_id,
    direction: body.direction,
    ethertype: body.ethertype ?? 'IPv4',
    protocol: body.protocol === undefined || body.protocol === null ? null : String(body.protocol),
    port_range_min: body.port_range_min ?? null,
    port_range_max: body.port_range_max ?? null,
    remote_ip_prefix: body.remote_ip_prefix ?? null,
    remote_group_id: body.remote_group_id ?? null,
    description: body.description ?? '',
  });
  const [id] = await deps.db.sequelize.transaction(async (transaction) => {
    const run = { sequelize: deps.db.sequelize, transaction };
    await refuseDuplicateRule(run, rule);
    await checkQuota(run, 'security_group_rule', new Map([[group.project_id, 1]]));
    return insertRules(run, [rule]);
  });
  const rules = await rulesOf(deps.db, [group.id]);
  ctx.status = 201;
  ctx.body = { security_group_rule: ruleView(rules.find((r) => r.id === id) as RuleRow) };
}

function registerRuleRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  registerList<RuleRow>(router, deps, {
    path: 'security-group-rules',
    key: 'security_group_rules',
    spec: ruleList,
    scope: ownScope,
    before: (caller) => ensureDefault(deps, caller),
    views: (rows) => Promise.resolve(rows.map(ruleView)),
  });
  router.get('/security-group-rules/:id', async (ctx) => {
    const caller = callerOf(ctx);
    const page = await listPage<RuleRow>(deps.db, ruleList, ownScope(caller), { id: paramOf(ctx, 'id') });
    const rule = page.rows[0];
    if (!rule) throw notFound('SecurityGroupRuleNotFound', `Security group rule ${paramOf(ctx, 'id')} does not exist`);
    ctx.body = { security_group_rule: pickFields(ruleView(rule), queryOf(ctx)) };
  });
  router.post('/security-group-rules', (ctx) => createRule(deps, ctx));
  router.delete('/security-group-rules/:id', async (ctx) => {
    const caller = callerOf(ctx);
    requireWriter(caller, 'delete_security_group_rule');
    const scope = ownScope(caller);
    const gone = await execute(deps.db, `DELETE FROM security_group_rules WHERE id = ?${scope.where ? ` AND ${scope.where}` : ''}`, [paramOf(ctx, 'id'), ...scope.values]);
    if (gone === 0) throw notFound('SecurityGroupRuleNotFound', `Security group rule ${paramOf(ctx, 'id')} does not exist`);
    ctx.status = 204;
  });
}

export function registerSecurityGroupRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  registerGroupRoutes(router, deps);
  registerRuleRoutes(router, deps);
}
