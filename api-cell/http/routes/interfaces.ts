import type Router from '@koa/router';
import { Type } from '@sinclair/typebox';
import { checkLocked, checkState, locate } from '../../compute/index.js';
import { attachInterface, detachInterface, resolveNics, serverInterfaces, type Nic, type Vif } from '../../network/index.js';
import { InvalidInputError, NotFoundError } from '../../../ops/runtime/index.js';
import { requireMember, requireReader } from '../policy.js';
import type { ApiState } from '../state.js';
import { validate } from '../validation.js';
import type { ApiServices } from './services.js';

const AttachBody = Type.Object(
  {
    interfaceAttachment: Type.Object(
      {
        net_id: Type.Optional(Type.String({ format: 'uuid' })),
        port_id: Type.Optional(Type.String({ format: 'uuid' })),
        fixed_ips: Type.Optional(Type.Array(Type.Object({ ip_address: Type.String() }, { additionalProperties: false }), { maxItems: 1 })),
        tag: Type.Optional(Type.String({ maxLength: 60 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
type AttachBody = { interfaceAttachment: { net_id?: string; port_id?: string; fixed_ips?: { ip_address: string }[]; tag?: string } };

/** Nova attaches and detaches interfaces of servers that are on a host and at rest or running. */
const attachable = { vm: ['active', 'paused', 'stopped', 'suspended'], task: [null] };

const attachmentView = (v: Vif) => ({
  port_state: 'ACTIVE',
  fixed_ips: v.fixed_ips.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
  port_id: v.port_id,
  net_id: v.network_id,
  mac_addr: v.mac_address,
});

/** os-interface: a server's ports, attach (a network or a port of the user's), detach. */
export function registerInterfaceRoutes(router: Router<ApiState>, services: ApiServices): void {
  const interfacesOf = async (uuid: string) => (await serverInterfaces(services.network, [uuid])).get(uuid) ?? [];
  router.get('/v2.1/servers/:id/os-interface', async (ctx) => {
    requireReader(ctx.state.context, 'os_compute_api:os-attach-interfaces:list');
    const target = await locate(services, ctx.state.context, ctx.params['id'] ?? '', 'list_interfaces');
    ctx.body = { interfaceAttachments: (await interfacesOf(target.instance.uuid)).map(attachmentView) };
  });
  router.get('/v2.1/servers/:id/os-interface/:port', async (ctx) => {
    requireReader(ctx.state.context, 'os_compute_api:os-attach-interfaces:show');
    const target = await locate(services, ctx.state.context, ctx.params['id'] ?? '', 'show_interface');
    const found = (await interfacesOf(target.instance.uuid)).find((v) => v.port_id === ctx.params['port']);
    if (!found) throw new NotFoundError(`Instance ${target.instance.uuid} does not have a port with id ${ctx.params['port'] ?? ''}`);
    ctx.body = { interfaceAttachment: attachmentView(found) };
  });
  router.post('/v2.1/servers/:id/os-interface', async (ctx) => {
    const { context } = ctx.state;
    requireMember(context, 'os_compute_api:os-attach-interfaces:create');
    const body = validate<AttachBody>(AttachBody, ctx.state.body).interfaceAttachment;
    const target = await locate(services, context, ctx.params['id'] ?? '', 'attach_interface');
    checkLocked(context, target);
    checkState(target, 'attach_interface', attachable);
    const i = target.instance;
    const fixed = body.fixed_ips?.[0]?.ip_address;
    let nic: Nic | undefined;
    if (body.port_id) nic = { port_id: body.port_id };
    else if (body.net_id) nic = fixed === undefined ? { network_id: body.net_id } : { network_id: body.net_id, fixed_ip: fixed };
    // Neither: the one network available, as at boot without networks.
    else nic = (await resolveNics(services.network, context, undefined, 1))[0];
    if (!nic) throw new InvalidInputError('No network is available to attach an interface on: give net_id or port_id.');
    const portId = await attachInterface(services.network, context, { server_uuid: i.uuid, project_id: i.project_id, host: i.host ?? '', zone: i.availability_zone ?? 'nova' }, nic);
    const attached = (await interfacesOf(i.uuid)).find((v) => v.port_id === portId);
    ctx.body = { interfaceAttachment: attached ? attachmentView(attached) : { port_id: portId } };
  });
  router.delete('/v2.1/servers/:id/os-interface/:port', async (ctx) => {
    const { context } = ctx.state;
    requireMember(context, 'os_compute_api:os-attach-interfaces:delete');
    const target = await locate(services, context, ctx.params['id'] ?? '', 'detach_interface');
    checkLocked(context, target);
    checkState(target, 'detach_interface', attachable);
    await detachInterface(services.network, target.instance.uuid, ctx.params['port'] ?? '');
    ctx.status = 202;
  });
}
