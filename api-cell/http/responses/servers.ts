import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { atLeast, type Microversion } from '../microversion.js';
import { dateTime, links, nullable, strict } from './common.js';

/**
 * The answers of the servers API by microversion, from Nova's API reference: what each answer
 * must hold and nothing more; a server of a cell that does not answer only has to be marked UNKNOWN (2.69).
 */

const emptyOr = (format: string) => Type.Union([Type.String({ format }), Type.String({ maxLength: 0 })]);

function flavor(v: Microversion): TSchema {
  if (!atLeast(v, '2.47')) return strict({ id: Type.String(), links });
  const n = Type.Integer({ minimum: 0 });
  return strict(
    { vcpus: n, ram: n, disk: n, ephemeral: n, swap: n, original_name: Type.String() },
    { extra_specs: Type.Record(Type.String(), Type.String()) },
  );
}

/** A server's image: from 2.98 with the image's properties as they were at boot; "" for a volume-backed one. */
const image = (v: Microversion) =>
  Type.Union([strict({ id: Type.String(), links }, atLeast(v, '2.98') ? { properties: Type.Record(Type.String(), Type.Unknown()) } : {}), Type.String({ maxLength: 0 })]);
const fault = strict({ code: Type.Integer(), created: dateTime, message: Type.String() }, { details: Type.String() });

/** What every form holds: Nova's show view without its extensions, plus what later versions add to all. */
function core(v: Microversion, withGroups: boolean): { required: TProperties; optional: TProperties } {
  const required: TProperties = {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    status: Type.String(),
    tenant_id: Type.String(),
    user_id: Type.String(),
    metadata: Type.Record(Type.String(), Type.String()),
    hostId: Type.String(),
    image: image(v),
    flavor: flavor(v),
    created: dateTime,
    updated: dateTime,
    addresses: Type.Record(Type.String(), Type.Array(Type.Object({}))),
    accessIPv4: emptyOr('ipv4'),
    accessIPv6: emptyOr('ipv6'),
    links,
    'OS-DCF:diskConfig': Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')]),
  };
  const optional: TProperties = { progress: Type.Integer({ minimum: 0, maximum: 100 }), fault };
  if (atLeast(v, '2.9')) required['locked'] = Type.Boolean();
  if (atLeast(v, '2.19')) required['description'] = nullable(Type.String());
  if (atLeast(v, '2.26')) required['tags'] = Type.Array(Type.String());
  if (atLeast(v, '2.63')) required['trusted_image_certificates'] = nullable(Type.Array(Type.String()));
  if (atLeast(v, '2.71') && withGroups) required['server_groups'] = Type.Array(Type.String({ format: 'uuid' }));
  if (atLeast(v, '2.73')) required['locked_reason'] = nullable(Type.String());
  if (atLeast(v, '2.96')) required['pinned_availability_zone'] = nullable(Type.String());
  if (atLeast(v, '2.100')) required['scheduler_hints'] = Type.Record(Type.String(), Type.Unknown());
  return { required, optional };
}

/** The extensions the show and detail views add; admin-only ones are optional. */
function extensions(v: Microversion): { required: TProperties; optional: TProperties } {
  const required: TProperties = {
    'OS-EXT-AZ:availability_zone': Type.String(),
    config_drive: Type.String(),
    key_name: nullable(Type.String()),
    'OS-SRV-USG:launched_at': nullable(Type.String()),
    'OS-SRV-USG:terminated_at': nullable(Type.String()),
    'OS-EXT-STS:task_state': nullable(Type.String()),
    'OS-EXT-STS:vm_state': Type.String(),
    'OS-EXT-STS:power_state': Type.Integer({ minimum: 0, maximum: 7 }),
    'os-extended-volumes:volumes_attached': Type.Array(strict({ id: Type.String() }, { delete_on_termination: Type.Boolean() })),
  };
  const optional: TProperties = {
    security_groups: Type.Array(strict({ name: Type.String() })),
    'OS-EXT-SRV-ATTR:host': nullable(Type.String()),
    'OS-EXT-SRV-ATTR:instance_name': Type.String(),
    'OS-EXT-SRV-ATTR:hypervisor_hostname': nullable(Type.String()),
  };
  if (atLeast(v, '2.3')) {
    Object.assign(optional, {
      'OS-EXT-SRV-ATTR:hostname': nullable(Type.String()),
      'OS-EXT-SRV-ATTR:kernel_id': nullable(Type.String()),
      'OS-EXT-SRV-ATTR:launch_index': Type.Integer(),
      'OS-EXT-SRV-ATTR:ramdisk_id': nullable(Type.String()),
      'OS-EXT-SRV-ATTR:reservation_id': nullable(Type.String()),
      'OS-EXT-SRV-ATTR:root_device_name': nullable(Type.String()),
      'OS-EXT-SRV-ATTR:user_data': nullable(Type.String()),
    });
  }
  if (atLeast(v, '2.16')) optional['host_status'] = Type.String();
  if (atLeast(v, '2.90')) optional['OS-EXT-SRV-ATTR:hostname'] = nullable(Type.String());
  return { required, optional };
}

function server(v: Microversion, form: 'show' | 'detail' | 'update' | 'rebuild'): TSchema {
  const base = core(v, form !== 'detail');
  const full = form === 'show' || form === 'detail' || atLeast(v, '2.75');
  const required = { ...base.required };
  const optional = { ...base.optional };
  if (full) {
    const ext = extensions(v);
    Object.assign(required, ext.required);
    Object.assign(optional, ext.optional);
  }
  if (form === 'rebuild') {
    optional['adminPass'] = Type.String();
    if (atLeast(v, '2.54')) required['key_name'] = nullable(Type.String());
    if (atLeast(v, '2.57')) required['user_data'] = nullable(Type.String({ maxLength: 65535 }));
    if (atLeast(v, '2.75')) delete optional['OS-EXT-SRV-ATTR:user_data'];
  }
  return strict(required, optional);
}

/** A server of a cell that does not answer (2.69): what is known from the API database, status UNKNOWN. */
const partial = Type.Object({ id: Type.String({ format: 'uuid' }), status: Type.Literal('UNKNOWN') });
const orPartial = (schema: TSchema): TSchema => Type.Union([schema, partial]);

/** GET /servers/{id}. */
export const serverShowResponse = (v: Microversion): TSchema => strict({ server: orPartial(server(v, 'show')) });

/** GET /servers: id, name and links each. */
export const serverListResponse = (): TSchema =>
  strict({ servers: Type.Array(orPartial(strict({ id: Type.String({ format: 'uuid' }), name: Type.String(), links }))) }, { servers_links: links });

/** GET /servers/detail. */
export const serverDetailListResponse = (v: Microversion): TSchema => strict({ servers: Type.Array(orPartial(server(v, 'detail'))) }, { servers_links: links });

/** PUT /servers/{id}. */
export const serverUpdateResponse = (v: Microversion): TSchema => strict({ server: server(v, 'update') });

/** POST /servers/{id}/action with rebuild. */
export const serverRebuildResponse = (v: Microversion): TSchema => strict({ server: server(v, 'rebuild') });

/** POST /servers: the new server's id and links, or with return_reservation_id only the reservation. */
export const serverCreateResponse = (): TSchema =>
  Type.Union([
    strict(
      { server: strict({ id: Type.String({ format: 'uuid' }), links }, { 'OS-DCF:diskConfig': Type.String(), security_groups: Type.Array(strict({ name: Type.String() })), adminPass: Type.String() }) },
    ),
    strict({ reservation_id: Type.String() }),
  ]);
