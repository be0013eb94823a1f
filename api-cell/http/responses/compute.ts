import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { atLeast, type Microversion } from '../microversion.js';
import { links, nullable, strict } from './common.js';

/** Answers of the compute API's other resources by microversion, from Nova's API reference. */

const int = Type.Integer();
const count = Type.Integer({ minimum: -1 });
const stringMap = Type.Record(Type.String(), Type.String());
/** Times as Nova's database objects print them (ISO 8601, with or without a zone). */
const dbTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}' });

function flavorBody(v: Microversion, detail: boolean): TSchema {
  const required: TProperties = { id: Type.String(), name: Type.String(), links };
  const optional: TProperties = {};
  if (atLeast(v, '2.55')) required['description'] = nullable(Type.String());
  if (detail) {
    Object.assign(required, { ram: int, vcpus: int, disk: int, 'OS-FLV-EXT-DATA:ephemeral': int, 'os-flavor-access:is_public': Type.Boolean() });
    // An empty swap is "" until 2.75, then 0.
    required['swap'] = atLeast(v, '2.75') ? int : Type.Union([int, Type.Literal('')]);
    if (!atLeast(v, '2.102')) Object.assign(required, { 'OS-FLV-DISABLED:disabled': Type.Boolean(), rxtx_factor: Type.Number() });
    if (atLeast(v, '2.61')) optional['extra_specs'] = stringMap;
  }
  return strict(required, optional);
}

export const flavorListResponse = (v: Microversion, detail: boolean): TSchema => strict({ flavors: Type.Array(flavorBody(v, detail)) }, { flavors_links: links });
export const flavorResponse = (v: Microversion): TSchema => strict({ flavor: flavorBody(v, true) });
export const extraSpecsResponse: TSchema = strict({ extra_specs: stringMap });
/** A create answers the specs as they were sent (Nova echoes the body): numbers and booleans too. */
export const extraSpecsCreateResponse: TSchema = strict({ extra_specs: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])) });
export const flavorAccessResponse: TSchema = strict({ flavor_access: Type.Array(strict({ flavor_id: Type.String(), tenant_id: Type.String() })) });

function keypairBody(v: Microversion, form: 'list' | 'show' | 'create'): TSchema {
  const required: TProperties = { name: Type.String(), public_key: Type.String(), fingerprint: Type.String() };
  const optional: TProperties = {};
  if (atLeast(v, '2.2')) required['type'] = Type.Union([Type.Literal('ssh'), Type.Literal('x509')]);
  if (form !== 'list') required['user_id'] = Type.String();
  if (form === 'show') Object.assign(required, { id: int, created_at: dbTime, updated_at: nullable(dbTime), deleted_at: nullable(dbTime), deleted: Type.Boolean() });
  if (form === 'create' && !atLeast(v, '2.92')) optional['private_key'] = Type.String();
  return strict(required, optional);
}

export const keypairListResponse = (v: Microversion): TSchema =>
  strict({ keypairs: Type.Array(strict({ keypair: keypairBody(v, 'list') })) }, atLeast(v, '2.35') ? { keypairs_links: links } : {});
export const keypairShowResponse = (v: Microversion): TSchema => strict({ keypair: keypairBody(v, 'show') });
export const keypairCreateResponse = (v: Microversion): TSchema => strict({ keypair: keypairBody(v, 'create') });

/**
 * The quota names of a version: network ones go at 2.36 (for quota classes at 2.50, which also
 * adds the server group ones to them), file injection ones at 2.57.
 */
function quotaNames(v: Microversion, classes: boolean): string[] {
  const names = ['instances', 'cores', 'ram', 'metadata_items', 'key_pairs'];
  const networkGone = classes ? '2.50' : '2.36';
  if (!classes || atLeast(v, '2.50')) names.push('server_groups', 'server_group_members');
  if (!atLeast(v, networkGone)) names.push('floating_ips', 'fixed_ips', 'security_groups', 'security_group_rules');
  if (!atLeast(v, '2.57')) names.push('injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes');
  return names;
}

const quotaDetail = strict({ in_use: int, limit: count, reserved: int });

/** os-quota-sets (show, defaults, update) and os-quota-class-sets; `detail` for `/detail`. */
export const quotaSetResponse = (v: Microversion, key: 'quota_set' | 'quota_class_set' = 'quota_set', detail = false): TSchema =>
  strict({ [key]: strict(Object.fromEntries(quotaNames(v, key === 'quota_class_set').map((n) => [n, detail ? quotaDetail : count])), { id: Type.String() }) });

export const limitsResponse = (v: Microversion): TSchema => {
  const absolute = ['maxServerMeta', 'maxTotalKeypairs', 'maxTotalCores', 'maxTotalInstances', 'maxTotalRAMSize', 'maxServerGroups', 'maxServerGroupMembers', 'totalCoresUsed', 'totalInstancesUsed', 'totalRAMUsed', 'totalServerGroupsUsed'];
  if (!atLeast(v, '2.36')) absolute.push('maxSecurityGroupRules', 'maxSecurityGroups', 'maxTotalFloatingIps', 'totalSecurityGroupsUsed', 'totalFloatingIpsUsed');
  if (!atLeast(v, '2.39')) absolute.push('maxImageMeta');
  if (!atLeast(v, '2.57')) absolute.push('maxPersonality', 'maxPersonalitySize');
  return strict({ limits: strict({ rate: Type.Array(Type.Unknown(), { maxItems: 0 }), absolute: strict(Object.fromEntries(absolute.map((n) => [n, count]))) }) });
};

function serverGroupBody(v: Microversion): TSchema {
  const required: TProperties = { id: Type.String({ format: 'uuid' }), name: Type.String(), members: Type.Array(Type.String({ format: 'uuid' })) };
  if (atLeast(v, '2.64')) Object.assign(required, { policy: Type.String(), rules: Type.Object({ max_server_per_host: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }) });
  else Object.assign(required, { policies: Type.Array(Type.String(), { minItems: 1, maxItems: 1 }), metadata: Type.Object({}, { additionalProperties: false }) });
  if (atLeast(v, '2.13')) Object.assign(required, { project_id: Type.String(), user_id: Type.String() });
  return strict(required);
}

export const serverGroupResponse = (v: Microversion): TSchema => strict({ server_group: serverGroupBody(v) });
export const serverGroupListResponse = (v: Microversion): TSchema => strict({ server_groups: Type.Array(serverGroupBody(v)) });

const zoneState = strict({ available: Type.Boolean() });
const zoneHosts = nullable(Type.Record(Type.String(), Type.Record(Type.String(), strict({ available: Type.Boolean(), active: Type.Boolean(), updated_at: nullable(dbTime) }))));
/** os-availability-zone: hosts is null in the plain list, each host's services in the detail. */
export const availabilityZonesResponse: TSchema = strict({ availabilityZoneInfo: Type.Array(strict({ zoneName: Type.String(), zoneState, hosts: zoneHosts })) });

function aggregateBody(v: Microversion, created: boolean): TSchema {
  const required: TProperties = { id: int, name: Type.String(), availability_zone: nullable(Type.String()), created_at: dbTime, updated_at: nullable(dbTime), deleted_at: nullable(dbTime), deleted: Type.Boolean() };
  if (!created) Object.assign(required, { hosts: Type.Array(Type.String()), metadata: stringMap });
  if (atLeast(v, '2.41')) required['uuid'] = Type.String({ format: 'uuid' });
  return strict(required);
}

export const aggregateResponse = (v: Microversion, created = false): TSchema => strict({ aggregate: aggregateBody(v, created) });
export const aggregateListResponse = (v: Microversion): TSchema => strict({ aggregates: Type.Array(aggregateBody(v, false)) });

function serviceBody(v: Microversion): TSchema {
  const required: TProperties = {
    id: atLeast(v, '2.53') ? Type.String({ format: 'uuid' }) : int,
    binary: Type.String(),
    host: Type.String(),
    zone: Type.String(),
    status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
    state: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    updated_at: nullable(dbTime),
    disabled_reason: nullable(Type.String()),
  };
  if (atLeast(v, '2.11')) required['forced_down'] = Type.Boolean();
  return strict(required);
}

/** A service of a cell that does not answer (2.69): its host mapping only. */
const unknownService = strict({ binary: Type.String(), host: Type.String(), status: Type.Literal('UNKNOWN') });

export const serviceListResponse = (v: Microversion): TSchema =>
  strict({ services: Type.Array(atLeast(v, '2.69') ? Type.Union([serviceBody(v), unknownService]) : serviceBody(v)) });

const hypervisorBody = (v: Microversion): TSchema =>
  strict(
    { id: atLeast(v, '2.53') ? Type.String({ format: 'uuid' }) : int, hypervisor_hostname: Type.String(), state: Type.String(), status: Type.String() },
    atLeast(v, '2.53') ? { servers: Type.Array(strict({ uuid: Type.String({ format: 'uuid' }), name: Type.String() })) } : {},
  );

/** GET /os-hypervisors (the detail view has the same keys and more). */
export const hypervisorListResponse = (v: Microversion): TSchema => strict({ hypervisors: Type.Array(hypervisorBody(v)) }, atLeast(v, '2.33') ? { hypervisors_links: links } : {});

export const metadataResponse: TSchema = strict({ metadata: stringMap });
export const metadataItemResponse: TSchema = strict({ meta: Type.Record(Type.String(), Type.String(), { minProperties: 1, maxProperties: 1 }) });
export const tagsResponse: TSchema = strict({ tags: Type.Array(Type.String()) });
