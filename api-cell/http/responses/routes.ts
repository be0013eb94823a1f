import type { TSchema } from '@sinclair/typebox';
import { atLeast, type Microversion } from '../microversion.js';
import { remoteConsoleResponse, serverActionResponse, serverAddressesResponse, serverPasswordResponse } from './actions.js';
import * as a from './admin.js';
import * as c from './compute.js';
import { diagnosticsResponse, instanceActionResponse, instanceActionsResponse, versionResponse, versionsResponse } from './resources.js';
import { serverCreateResponse, serverDetailListResponse, serverListResponse, serverShowResponse, serverUpdateResponse } from './servers.js';

type Pick = (v: Microversion, body: unknown) => TSchema | undefined;
const always = (schema: TSchema): Pick => () => schema;

const id = '[^/]+';
/** Each answer with a body that has a schema: method, path below the API root, and the schema by version. */
const table: [string, RegExp, Pick][] = [
  ['GET', /^\/?$/, always(versionsResponse)],
  ['GET', /^\/v2(\.1)?\/?$/, always(versionResponse)],
  ['POST', /^\/v2\.1\/servers$/, always(serverCreateResponse())],
  ['GET', /^\/v2\.1\/servers$/, always(serverListResponse())],
  ['GET', /^\/v2\.1\/servers\/detail$/, serverDetailListResponse],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}$`), serverShowResponse],
  ['PUT', new RegExp(`^/v2\\.1/servers/${id}$`), serverUpdateResponse],
  ['POST', new RegExp(`^/v2\\.1/servers/${id}/action$`), (v, body) => serverActionResponse(actionOf(body), v)],
  ['POST', new RegExp(`^/v2\\.1/servers/${id}/remote-consoles$`), always(remoteConsoleResponse)],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}/os-server-password$`), always(serverPasswordResponse)],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}/ips$`), always(serverAddressesResponse)],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}/os-instance-actions$`), instanceActionsResponse],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}/os-instance-actions/${id}$`), instanceActionResponse],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}/metadata$`), always(c.metadataResponse)],
  ['POST', new RegExp(`^/v2\\.1/servers/${id}/metadata$`), always(c.metadataResponse)],
  ['PUT', new RegExp(`^/v2\\.1/servers/${id}/metadata$`), always(c.metadataResponse)],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}/metadata/${id}$`), always(c.metadataItemResponse)],
  ['PUT', new RegExp(`^/v2\\.1/servers/${id}/metadata/${id}$`), always(c.metadataItemResponse)],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}/tags$`), always(c.tagsResponse)],
  ['PUT', new RegExp(`^/v2\\.1/servers/${id}/tags$`), always(c.tagsResponse)],
  ['GET', /^\/v2\.1\/flavors$/, (v) => c.flavorListResponse(v, false)],
  ['GET', /^\/v2\.1\/flavors\/detail$/, (v) => c.flavorListResponse(v, true)],
  ['GET', new RegExp(`^/v2\\.1/flavors/${id}$`), c.flavorResponse],
  ['POST', /^\/v2\.1\/flavors$/, c.flavorResponse],
  ['PUT', new RegExp(`^/v2\\.1/flavors/${id}$`), c.flavorResponse],
  ['GET', new RegExp(`^/v2\\.1/flavors/${id}/os-extra_specs$`), always(c.extraSpecsResponse)],
  ['POST', new RegExp(`^/v2\\.1/flavors/${id}/os-extra_specs$`), always(c.extraSpecsCreateResponse)],
  ['GET', new RegExp(`^/v2\\.1/flavors/${id}/os-flavor-access$`), always(c.flavorAccessResponse)],
  ['GET', /^\/v2\.1\/os-keypairs$/, c.keypairListResponse],
  ['POST', /^\/v2\.1\/os-keypairs$/, c.keypairCreateResponse],
  ['GET', new RegExp(`^/v2\\.1/os-keypairs/${id}$`), c.keypairShowResponse],
  ['GET', new RegExp(`^/v2\\.1/os-quota-sets/${id}/detail$`), (v) => c.quotaSetResponse(v, 'quota_set', true)],
  ['GET', new RegExp(`^/v2\\.1/os-quota-sets/${id}(/defaults)?$`), (v) => c.quotaSetResponse(v)],
  ['PUT', new RegExp(`^/v2\\.1/os-quota-sets/${id}$`), (v) => c.quotaSetResponse(v)],
  ['GET', new RegExp(`^/v2\\.1/os-quota-class-sets/${id}$`), (v) => c.quotaSetResponse(v, 'quota_class_set')],
  ['PUT', new RegExp(`^/v2\\.1/os-quota-class-sets/${id}$`), (v) => c.quotaSetResponse(v, 'quota_class_set')],
  ['GET', /^\/v2\.1\/limits$/, c.limitsResponse],
  ['GET', /^\/v2\.1\/os-server-groups$/, c.serverGroupListResponse],
  ['POST', /^\/v2\.1\/os-server-groups$/, c.serverGroupResponse],
  ['GET', new RegExp(`^/v2\\.1/os-server-groups/${id}$`), c.serverGroupResponse],
  ['GET', /^\/v2\.1\/os-availability-zone(\/detail)?$/, always(c.availabilityZonesResponse)],
  ['GET', /^\/v2\.1\/os-aggregates$/, c.aggregateListResponse],
  ['POST', /^\/v2\.1\/os-aggregates$/, (v) => c.aggregateResponse(v, true)],
  ['GET', new RegExp(`^/v2\\.1/os-aggregates/${id}$`), (v) => c.aggregateResponse(v)],
  ['PUT', new RegExp(`^/v2\\.1/os-aggregates/${id}$`), (v) => c.aggregateResponse(v)],
  ['POST', new RegExp(`^/v2\\.1/os-aggregates/${id}/action$`), (v) => c.aggregateResponse(v)],
  ['GET', /^\/v2\.1\/os-services$/, c.serviceListResponse],
  ['GET', /^\/v2\.1\/os-hypervisors$/, c.hypervisorListResponse],
  ['GET', new RegExp(`^/v2\\.1/servers/${id}/diagnostics$`), (v) => (atLeast(v, '2.48') ? diagnosticsResponse : undefined)],
  ['GET', /^\/v2\.1\/images$/, () => a.proxyImageListResponse(false)],
  ['GET', /^\/v2\.1\/images\/detail$/, () => a.proxyImageListResponse(true)],
  ['GET', new RegExp(`^/v2\\.1/images/${id}$`), always(a.proxyImageResponse)],
  ['GET', new RegExp(`^/v2\\.1/images/${id}/metadata$`), always(c.metadataResponse)],
  ['GET', /^\/v2\.1\/os-migrations$/, a.migrationListResponse],
  ['GET', /^\/v2\.1\/os-hosts$/, always(a.hostListResponse)],
  ['GET', new RegExp(`^/v2\\.1/os-hosts/${id}$`), always(a.hostShowResponse)],
  ['GET', /^\/v2\.1\/extensions$/, always(a.extensionListResponse)],
  ['GET', new RegExp(`^/v2\\.1/extensions/${id}$`), always(a.extensionResponse)],
  ['GET', /^\/v2\.1\/os-simple-tenant-usage\/?$/, a.tenantUsageListResponse],
  ['GET', new RegExp(`^/v2\\.1/os-simple-tenant-usage/${id}$`), a.tenantUsageResponse],
];

/** The action a server action body names: its one key. */
const actionOf = (body: unknown): string => (body && typeof body === 'object' ? (Object.keys(body)[0] ?? '') : '');

/**
 * The schema a successful answer to `method path` (sent with `body`) must fit at microversion
 * `v`, or undefined where none is written down yet. `path` may carry a query string.
 */
export function responseSchemaOf(method: string, path: string, v: Microversion, body?: unknown): TSchema | undefined {
  const bare = path.split('?')[0] ?? '';
  const hit = table.find(([m, pattern]) => m === method && pattern.test(bare));
  return hit?.[2](v, body);
}
