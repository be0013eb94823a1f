import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { atLeast, type Microversion } from '../microversion.js';
import { dateTime, links, nullable, strict } from './common.js';

/** Answers of the image proxy, migrations, hosts, extensions and usage, from Nova's API reference. */

const int = Type.Integer();
const text = Type.String();
const dbTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}' });

const proxyImage = strict(
  {
    id: text,
    name: nullable(text),
    status: Type.Union(['ACTIVE', 'SAVING', 'DELETED', 'ERROR', 'UNKNOWN'].map((s) => Type.Literal(s))),
    created: dateTime,
    updated: dateTime,
    minDisk: int,
    minRam: int,
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    metadata: Type.Record(text, text),
    links,
  },
  { server: strict({ id: text, links }), 'OS-EXT-IMG-SIZE:size': nullable(int), 'OS-DCF:diskConfig': text },
);

/** /images (the compute API's image proxy, until 2.35): list, detail and show. */
export const proxyImageListResponse = (detail: boolean): TSchema =>
  strict({ images: Type.Array(detail ? proxyImage : strict({ id: text, name: nullable(text), links })) }, { images_links: links });
export const proxyImageResponse: TSchema = strict({ image: proxyImage });

function migration(v: Microversion): TSchema {
  const required: TProperties = {
    id: int,
    status: nullable(text),
    instance_uuid: nullable(text),
    source_node: nullable(text),
    source_compute: nullable(text),
    dest_node: nullable(text),
    dest_compute: nullable(text),
    dest_host: nullable(text),
    old_instance_type_id: nullable(int),
    new_instance_type_id: nullable(int),
    created_at: dbTime,
    updated_at: nullable(dbTime),
  };
  const extra: TProperties = {};
  if (atLeast(v, '2.23')) {
    required['migration_type'] = Type.Union(['migration', 'resize', 'live-migration', 'evacuation'].map((s) => Type.Literal(s)));
    extra['links'] = links;
  }
  if (atLeast(v, '2.59')) required['uuid'] = Type.String({ format: 'uuid' });
  if (atLeast(v, '2.80')) Object.assign(required, { user_id: nullable(text), project_id: nullable(text) });
  return strict(required, extra);
}

/** GET /os-migrations. */
export const migrationListResponse = (v: Microversion): TSchema => strict({ migrations: Type.Array(migration(v)) }, atLeast(v, '2.59') ? { migrations_links: links } : {});

/** GET /os-hosts and /os-hosts/{name}. */
export const hostListResponse: TSchema = strict({ hosts: Type.Array(strict({ host_name: text, service: text, zone: text })) });
export const hostShowResponse: TSchema = strict({
  host: Type.Array(strict({ resource: strict({ host: text, project: text, cpu: int, memory_mb: int, disk_gb: int }) })),
});

const extension = strict({ name: text, alias: text, description: text, namespace: text, updated: dateTime, links: Type.Array(Type.Unknown()) });
/** GET /extensions and /extensions/{alias}. */
export const extensionListResponse: TSchema = strict({ extensions: Type.Array(extension) });
export const extensionResponse: TSchema = strict({ extension });

const serverUsage = strict({
  instance_id: text,
  name: text,
  tenant_id: text,
  flavor: text,
  hours: Type.Number(),
  vcpus: int,
  memory_mb: int,
  local_gb: int,
  uptime: int,
  state: text,
  started_at: dbTime,
  ended_at: nullable(dbTime),
});
const usageFields = { tenant_id: text, start: dbTime, stop: dbTime, total_hours: Type.Number(), total_vcpus_usage: Type.Number(), total_memory_mb_usage: Type.Number(), total_local_gb_usage: Type.Number() };

/** GET /os-simple-tenant-usage (server_usages with detailed=1) and /os-simple-tenant-usage/{project}. */
export const tenantUsageListResponse = (v: Microversion): TSchema =>
  strict({ tenant_usages: Type.Array(strict(usageFields, { server_usages: Type.Array(serverUsage) })) }, atLeast(v, '2.40') ? { tenant_usages_links: links } : {});
export const tenantUsageResponse = (v: Microversion): TSchema =>
  strict({ tenant_usage: Type.Union([strict({ ...usageFields, server_usages: Type.Array(serverUsage) }), strict({})]) }, atLeast(v, '2.40') ? { tenant_usage_links: links } : {});
