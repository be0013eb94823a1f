import { select } from '../../ops/runtime-db/index.js';
import type { NetworkDatabase } from './db/index.js';
import { createNetwork } from './networks.js';
import { createSubnet } from './subnets.js';

/**
 * The network `deploy up` makes, as devstack's `shared`: shared by every project, so `server
 * create` with no --nic gets an address. A /16: load tests and benchmarks boot thousands.
 */
export const DEFAULT_NETWORK = { name: 'shared', subnet: 'shared-subnet', cidr: '10.100.0.0/16' } as const;

/** Makes the default shared network and its subnet, owned by `projectId`, unless a shared network of that name exists. */
export async function ensureDefaultNetwork(db: NetworkDatabase, projectId: string): Promise<string | undefined> {
  const found = await select<{ id: string }>(db, 'SELECT id FROM networks WHERE name = ? AND shared = 1', [DEFAULT_NETWORK.name]);
  if (found[0]) return undefined;
  const id = await createNetwork(db, { project_id: projectId, name: DEFAULT_NETWORK.name, description: 'Made by deploy up', admin_state_up: 1, mtu: 1500, shared: 1, router_external: 0, is_default: 0, port_security_enabled: 1 });
  await db.sequelize.transaction((transaction) =>
    createSubnet({ sequelize: db.sequelize, transaction }, {
      network_id: id, project_id: projectId, name: DEFAULT_NETWORK.subnet, description: '', ip_version: 4, cidr: DEFAULT_NETWORK.cidr,
      enable_dhcp: true, dns_nameservers: [], host_routes: [], ipv6_ra_mode: null, ipv6_address_mode: null,
    }),
  );
  return id;
}
