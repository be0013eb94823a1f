import type Router from '@koa/router';
import type { ApiState } from '../../http/state.js';
import { notFound } from '../errors.js';
import { projectsWithQuotas, QUOTA_DEFAULTS, quotaOf, resetQuota, setQuota, usageOf, type QuotaResource } from '../quotas.js';
import { bodyOf, callerOf, collectionUrl, notAuthorized, paramOf, type Ctx, type NetworkDeps } from './common.js';
import { UpdateQuota } from './schemas.js';

/** The extensions this subset implements, as `openstack extension list --network` shows them. */
const EXTENSIONS: [alias: string, name: string, description: string][] = [
  ['router', 'Neutron L3 Router', 'Routers with an external gateway and interfaces, and floating IPs'],
  ['external-net', 'Neutron external network', 'Adds the router:external attribute to networks'],
  ['security-group', 'security-group', 'The security groups extension'],
  ['quotas', 'Quota management support', 'Expose functions for quotas management per project'],
  ['quota_details', 'Quota details management support', 'Expose functions for quotas usage statistics per project'],
  ['binding', 'Port Binding', 'Expose port bindings of a virtual port to external application'],
  ['port-security', 'Port Security', 'Provides port security'],
  ['allowed-address-pairs', 'Allowed Address Pairs', 'Provides allowed address pairs'],
  ['net-mtu', 'Network MTU', 'Provides MTU attribute for a network resource.'],
  ['net-mtu-writable', 'Network MTU (writable)', 'Provides a writable MTU attribute for a network resource.'],
  ['standard-attr-description', 'standard-attr-description', 'Extension to add descriptions to standard attributes'],
  ['standard-attr-revisions', 'Resource revision numbers', 'This extension will display the revision number of neutron resources.'],
  ['standard-attr-timestamp', 'Resource timestamps', 'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.'],
  ['project-id', 'project_id field enabled', 'Extension that indicates that project_id field is enabled.'],
  ['pagination', 'Pagination support', 'Extension that indicates that pagination is enabled.'],
  ['sorting', 'Sorting support', 'Extension that indicates that sorting is enabled.'],
  ['fip-port-details', 'Floating IP Port Details Extension', 'Add port_details attribute to Floating IP resource'],
  ['ext-gw-mode', 'Neutron L3 Configurable external gateway mode', 'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway'],
  ['stateful-security-group', 'Stateful security group', 'Indicates if the security group is stateful or not'],
];

const extensionView = ([alias, name, description]: (typeof EXTENSIONS)[number]) => ({ alias, name, description, links: [], updated: '2026-12-06T00:00:00-00:00' });

const withProject = (limits: Record<string, number>, project: string) => ({ ...limits, project_id: project, tenant_id: project });

/** Only an admin reads another project's quota; anyone reads their own. */
function requireQuotaReader(ctx: Ctx, project: string): void {
  const caller = callerOf(ctx);
  if (!caller.isAdmin && caller.projectId !== project) throw notAuthorized('get_quota');
}

function registerQuotaRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  router.get('/quotas', async (ctx) => {
    const caller = callerOf(ctx);
    const projects = caller.isAdmin ? await projectsWithQuotas(deps.db) : [caller.projectId];
    ctx.body = { quotas: await Promise.all(projects.map(async (p) => withProject(await quotaOf(deps.db, p), p))) };
  });
  router.get('/quotas/:project/default', (ctx) => {
    requireQuotaReader(ctx, paramOf(ctx, 'project'));
    ctx.body = { quota: withProject({ ...QUOTA_DEFAULTS }, paramOf(ctx, 'project')) };
  });
  router.get('/quotas/:project/details', async (ctx) => {
    const project = paramOf(ctx, 'project');
    requireQuotaReader(ctx, project);
    const [limits, usage] = [await quotaOf(deps.db, project), await usageOf(deps.db, project)];
    ctx.body = { quota: Object.fromEntries((Object.keys(limits) as QuotaResource[]).map((k) => [k, { limit: limits[k], used: usage[k], reserved: 0 }])) };
  });
  router.get('/quotas/:project', async (ctx) => {
    const project = paramOf(ctx, 'project');
    requireQuotaReader(ctx, project);
    ctx.body = { quota: await quotaOf(deps.db, project) };
  });
  router.put('/quotas/:project', async (ctx) => {
    if (!callerOf(ctx).isAdmin) throw notAuthorized('update_quota');
    const body = bodyOf<{ quota: Record<string, number> }>(ctx, UpdateQuota);
    await setQuota(deps.db, paramOf(ctx, 'project'), body.quota);
    ctx.body = { quota: await quotaOf(deps.db, paramOf(ctx, 'project')) };
  });
  router.delete('/quotas/:project', async (ctx) => {
    if (!callerOf(ctx).isAdmin) throw notAuthorized('delete_quota');
    await resetQuota(deps.db, paramOf(ctx, 'project'));
    ctx.status = 204;
  });
}

/** The service's own resources: its root, extensions, availability zones, quotas. */
export function registerServiceRoutes(router: Router<ApiState>, deps: NetworkDeps): void {
  router.get('/', (ctx) => {
    const collections = ['networks', 'subnets', 'ports', 'security-groups', 'security-group-rules', 'routers', 'floatingips', 'quotas', 'extensions'];
    ctx.body = { resources: collections.map((c) => ({ name: c.replace(/s$/, '').replace(/-/g, '_'), collection: c.replace(/-/g, '_'), links: [{ rel: 'self', href: collectionUrl(deps, ctx, c) }] })) };
  });
  router.get('/extensions', (ctx) => {
    ctx.body = { extensions: EXTENSIONS.map(extensionView) };
  });
  router.get('/extensions/:alias', (ctx) => {
    const found = EXTENSIONS.find((e) => e[0] === paramOf(ctx, 'alias'));
    if (!found) throw notFound('HTTPNotFound', `Extension with alias ${paramOf(ctx, 'alias')} does not exist`);
    ctx.body = { extension: extensionView(found) };
  });
  router.get('/availability_zones', (ctx) => {
    ctx.body = { availability_zones: [{ name: 'nova', resource: 'network', state: 'available' }, { name: 'nova', resource: 'router', state: 'available' }] };
  });
  registerQuotaRoutes(router, deps);
}
