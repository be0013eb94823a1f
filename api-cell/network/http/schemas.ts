import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Request bodies of the Networking API, strict as Neutron's attribute maps: an unknown attribute is a 400. */
const strict = { additionalProperties: false } as const;
const opt = <T extends TSchema>(t: T) => Type.Optional(t);
const name = opt(Type.String({ maxLength: 255 }));
const description = opt(Type.String({ maxLength: 255 }));
const project = { tenant_id: opt(Type.String({ maxLength: 255 })), project_id: opt(Type.String({ maxLength: 255 })) };
const uuid = Type.String({ format: 'uuid' });
const ip = Type.String({ maxLength: 64 });
const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const tags = { tags: opt(Type.Array(Type.String({ maxLength: 255 }))) };
const wrap = <T extends TSchema>(key: string, item: T) => Type.Object({ [key]: item }, strict);

const networkFields = {
  name,
  description,
  admin_state_up: opt(Type.Boolean()),
  shared: opt(Type.Boolean()),
  'router:external': opt(Type.Boolean()),
  // Neutron converts to int: openstackclient sends the MTU as a string.
  mtu: opt(Type.Union([Type.Integer({ minimum: 68, maximum: 65535 }), Type.String({ pattern: '^[0-9]{2,5}$' })])),
  port_security_enabled: opt(Type.Boolean()),
  is_default: opt(Type.Boolean()),
  availability_zone_hints: opt(Type.Array(Type.String({ maxLength: 255 }))),
  dns_domain: opt(Type.String({ maxLength: 255 })),
  'provider:network_type': opt(Type.String({ maxLength: 32 })),
  'provider:physical_network': opt(nullable(Type.String({ maxLength: 64 }))),
  'provider:segmentation_id': opt(nullable(Type.Integer({ minimum: 0 }))),
  qos_policy_id: opt(Type.Null()),
};
export const CreateNetwork = wrap('network', Type.Object({ ...networkFields, ...project, ...tags }, strict));
export const UpdateNetwork = wrap('network', Type.Object(networkFields, { ...strict, minProperties: 1 }));
export type NetworkBody = Static<typeof CreateNetwork>['network'];

const pool = Type.Object({ start: ip, end: ip }, strict);
const route = Type.Object({ destination: Type.String({ maxLength: 64 }), nexthop: ip }, strict);
const v6Mode = opt(nullable(Type.Union([Type.Literal('slaac'), Type.Literal('dhcpv6-stateful'), Type.Literal('dhcpv6-stateless')])));
const subnetFields = {
  name,
  description,
  gateway_ip: opt(nullable(ip)),
  enable_dhcp: opt(Type.Boolean()),
  allocation_pools: opt(Type.Array(pool)),
  dns_nameservers: opt(Type.Array(ip, { maxItems: 5 })),
  host_routes: opt(Type.Array(route, { maxItems: 20 })),
  service_types: opt(Type.Array(Type.String())),
  segment_id: opt(Type.Null()),
};
export const CreateSubnet = wrap(
  'subnet',
  Type.Object(
    {
      ...subnetFields,
      ...project,
      ...tags,
      network_id: uuid,
      ip_version: opt(Type.Union([Type.Literal(4), Type.Literal(6)])),
      cidr: opt(Type.String({ maxLength: 64 })),
      subnetpool_id: opt(Type.Null()),
      prefixlen: opt(Type.Integer()),
      use_default_subnetpool: opt(Type.Boolean()),
      ipv6_ra_mode: v6Mode,
      ipv6_address_mode: v6Mode,
    },
    { ...strict, required: ['network_id'] },
  ),
);
export const UpdateSubnet = wrap('subnet', Type.Object(subnetFields, { ...strict, minProperties: 1 }));
export type SubnetBody = Static<typeof CreateSubnet>['subnet'];

const fixedIp = Type.Object({ subnet_id: opt(uuid), ip_address: opt(ip) }, strict);
const pair = Type.Object({ ip_address: Type.String({ maxLength: 64 }), mac_address: opt(Type.String({ maxLength: 32 })) }, strict);
const mac = Type.String({ pattern: '^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$' });
const portFields = {
  name,
  description,
  admin_state_up: opt(Type.Boolean()),
  device_id: opt(Type.String({ maxLength: 255 })),
  device_owner: opt(Type.String({ maxLength: 255 })),
  'binding:host_id': opt(Type.String({ maxLength: 255 })),
  'binding:vnic_type': opt(Type.Union(['normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder', 'smart-nic', 'remote-managed'].map((v) => Type.Literal(v)))),
  'binding:profile': opt(Type.Object({}, { additionalProperties: true })),
  security_groups: opt(Type.Array(uuid)),
  allowed_address_pairs: opt(Type.Array(pair)),
  port_security_enabled: opt(Type.Boolean()),
  fixed_ips: opt(Type.Array(fixedIp)),
  mac_address: opt(mac),
  dns_name: opt(Type.String({ maxLength: 255 })),
  qos_policy_id: opt(Type.Null()),
};
const createPort = Type.Object({ ...portFields, ...project, ...tags, network_id: uuid }, { ...strict, required: ['network_id'] });
export const CreatePort = wrap('port', createPort);
export const CreatePorts = wrap('ports', Type.Array(createPort, { minItems: 1, maxItems: 1000 }));
export const UpdatePort = wrap('port', Type.Object(portFields, { ...strict, minProperties: 1 }));
export type PortBody = Static<typeof createPort>;

const groupFields = { name, description };
export const CreateSecurityGroup = wrap('security_group', Type.Object({ ...groupFields, ...project, ...tags, stateful: opt(Type.Boolean()) }, strict));
export const UpdateSecurityGroup = wrap('security_group', Type.Object({ ...groupFields, stateful: opt(Type.Boolean()) }, { ...strict, minProperties: 1 }));
export type SecurityGroupBody = Static<typeof CreateSecurityGroup>['security_group'];

const port = nullable(Type.Integer({ minimum: 0, maximum: 65535 }));
export const CreateRule = wrap(
  'security_group_rule',
  Type.Object(
    {
      ...project,
      description,
      security_group_id: uuid,
      direction: Type.Union([Type.Literal('ingress'), Type.Literal('egress')]),
      ethertype: opt(Type.Union([Type.Literal('IPv4'), Type.Literal('IPv6')])),
      protocol: opt(nullable(Type.Union([Type.String({ maxLength: 40 }), Type.Integer({ minimum: 0, maximum: 255 })]))),
      port_range_min: opt(port),
      port_range_max: opt(port),
      remote_ip_prefix: opt(nullable(Type.String({ maxLength: 64 }))),
      remote_group_id: opt(nullable(uuid)),
      remote_address_group_id: opt(Type.Null()),
    },
    { ...strict, required: ['security_group_id', 'direction'] },
  ),
);
export type RuleBody = Static<typeof CreateRule>['security_group_rule'];

export const CreateFloatingIp = wrap(
  'floatingip',
  Type.Object(
    {
      ...project,
      ...tags,
      description,
      floating_network_id: uuid,
      floating_ip_address: opt(ip),
      subnet_id: opt(uuid),
      port_id: opt(nullable(uuid)),
      fixed_ip_address: opt(nullable(ip)),
      dns_name: opt(Type.String()),
      dns_domain: opt(Type.String()),
      qos_policy_id: opt(Type.Null()),
    },
    { ...strict, required: ['floating_network_id'] },
  ),
);
export const UpdateFloatingIp = wrap(
  'floatingip',
  Type.Object({ description, port_id: opt(nullable(uuid)), fixed_ip_address: opt(nullable(ip)), qos_policy_id: opt(Type.Null()) }, strict),
);
export type FloatingIpBody = Static<typeof CreateFloatingIp>['floatingip'];

const gateway = nullable(
  Type.Object({ network_id: uuid, enable_snat: opt(Type.Boolean()), external_fixed_ips: opt(Type.Array(fixedIp)) }, strict),
);
const routerFields = { name, description, admin_state_up: opt(Type.Boolean()), external_gateway_info: opt(Type.Union([gateway, Type.Object({}, strict)])) };
export const CreateRouter = wrap(
  'router',
  Type.Object({ ...routerFields, ...project, ...tags, distributed: opt(Type.Boolean()), ha: opt(Type.Boolean()), availability_zone_hints: opt(Type.Array(Type.String())) }, strict),
);
export const UpdateRouter = wrap('router', Type.Object({ ...routerFields, routes: opt(Type.Array(route)) }, { ...strict, minProperties: 1 }));
export type RouterBody = Static<typeof CreateRouter>['router'];
export const RouterInterface = Type.Object({ subnet_id: opt(uuid), port_id: opt(uuid) }, { ...strict, minProperties: 1, maxProperties: 1 });

export const UpdateQuota = wrap('quota', Type.Object({}, { additionalProperties: Type.Integer({ minimum: -1 }) }));
