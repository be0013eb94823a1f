import type Router from '@koa/router';
import { canAccessProject, type RequestContext } from '../../context.js';
import { createServerGroup, deleteServerGroup, findServerGroup, listServerGroups, type ServerGroup } from '../../groups/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { atLeast } from '../microversion.js';
import { requireMember, requireReader } from '../policy.js';
import { validateQuery } from '../query.js';
import {
  CreateServerGroupV21,
  CreateServerGroupV215,
  CreateServerGroupV264,
  ListServerGroupsQuery,
  ListServerGroupsQueryV275,
  type CreateServerGroupLegacy,
} from '../schemas/server-groups.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import { serverGroupView } from '../views/server-groups.js';
import type { ApiServices } from './services.js';

const rule = (action: string): string => `os_compute_api:os-server-groups:${action}`;

/** The group, if the caller may see it; another project's group is simply not found. */
async function visibleGroup(services: ApiServices, context: RequestContext, uuid: string): Promise<ServerGroup> {
  const group = await findServerGroup(services.api, uuid);
  if (!group || !canAccessProject(context, group.project_id)) throw new NotFoundError(`Instance group ${uuid} could not be found.`);
  return group;
}

/** os-server-groups: create, list, show, delete (Nova 2.1 to 2.103). */
export function registerServerGroupRoutes(router: Router<ApiState>, services: ApiServices): void {
  router.post('/v2.1/os-server-groups', async (ctx) => {
    const { context, version } = ctx.state;
    requireMember(context, rule('create'));
    let policy: string;
    let rules: Record<string, number> = {};
    let name: string;
    if (atLeast(version, '2.64')) {
      const body = validate<CreateServerGroupV264>(CreateServerGroupV264, ctx.state.body).server_group;
      name = body.name;
      policy = body.policy;
      const perHost = body.rules?.max_server_per_host;
      if (perHost !== undefined) rules = { max_server_per_host: Number(perHost) };
      if (policy !== 'anti-affinity' && Object.keys(body.rules ?? {}).length > 0) throw new InvalidInputError('Only anti-affinity policy supports rules.');
    } else {
      const schema = atLeast(version, '2.15') ? CreateServerGroupV215 : CreateServerGroupV21;
      const body = validate<CreateServerGroupLegacy>(schema, ctx.state.body).server_group;
      name = body.name;
      policy = body.policies[0] ?? '';
    }
    const group = await createServerGroup(services.api, services.config.quota, { name, policy, rules, projectId: context.projectId, userId: context.userId });
    ctx.body = { server_group: serverGroupView(group, version) };
  });

  router.get('/v2.1/os-server-groups', async (ctx) => {
    const { context, version } = ctx.state;
    requireReader(context, rule('index'));
    const query = validateQuery<ListServerGroupsQuery>(
      atLeast(version, '2.75') ? ListServerGroupsQueryV275 : ListServerGroupsQuery,
      ctx.query,
    );
    // As Nova: all_projects lists every project for admins (index:all_projects); from anyone
    // else it is not refused, it lists their own.
    const all = query.all_projects !== undefined && context.isAdmin;
    const maxLimit = services.config.api.max_limit;
    const groups = await listServerGroups(services.api, {
      projectId: all ? null : context.projectId,
      limit: Math.min(maxLimit, query.limit || maxLimit),
      offset: query.offset ?? 0,
    });
    ctx.body = { server_groups: groups.map((g) => serverGroupView(g, version)) };
  });

  router.get('/v2.1/os-server-groups/:id', async (ctx) => {
    const { context, version } = ctx.state;
    const group = await visibleGroup(services, context, ctx.params['id'] ?? '');
    requireReader(context, rule('show'));
    ctx.body = { server_group: serverGroupView(group, version) };
  });

  router.delete('/v2.1/os-server-groups/:id', async (ctx) => {
    const { context } = ctx.state;
    const id = ctx.params['id'] ?? '';
    const group = await visibleGroup(services, context, id);
    requireMember(context, rule('delete'));
    if (!(await deleteServerGroup(services.api, group.id))) throw new NotFoundError(`Instance group ${id} could not be found.`);
    ctx.status = 204;
  });
}
