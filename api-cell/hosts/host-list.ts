import { hostResources } from '../../child-cell/db/index.js';
import { NotFoundError } from '../../ops/runtime/index.js';
import { hostCell, listServices, type HostDeps } from './services.js';
import { nodeUsage } from './usage.js';

/** An os-hosts entry: one per enabled service, its topic as `service`. */
export interface HostEntry {
  host_name: string;
  service: string;
  zone: string;
}

/** One `resource` of os-hosts show: a total, a usage or one project's share of the host. */
export interface HostResource {
  host: string;
  project: string;
  cpu: number;
  memory_mb: number;
  disk_gb: number;
}

/** Enabled services of every cell as hosts (Nova's os-hosts leaves disabled ones out), optionally of one zone. */
export async function listHosts(deps: HostDeps, zone?: string): Promise<HostEntry[]> {
  const { services } = await listServices(deps, {}, false);
  return services
    .filter((s) => !s.service.disabled && (zone === undefined || s.zone === zone))
    .map((s) => ({ host_name: s.service.host, service: s.service.topic ?? s.service.binary.replace(/^nova-/, ''), zone: s.zone }));
}

const notFound = (host: string): NotFoundError => new NotFoundError(`Compute host ${host} could not be found.`);

/** A mapped compute host's cell and node, or Nova's 404 for a host it does not know. */
async function mappedHost(deps: HostDeps, host: string) {
  const cell = await hostCell(deps, host).catch((err: unknown) => {
    if (err instanceof NotFoundError) throw notFound(host);
    throw err;
  });
  const found = await deps.registry.withCell(cell, ({ db }) => hostResources(db, host));
  if (!found) throw notFound(host);
  return found;
}

/** Throws Nova's 404 unless `host` is a compute host of some cell. */
export async function assertComputeHost(deps: HostDeps, host: string): Promise<void> {
  await mappedHost(deps, host);
}

/**
 * os-hosts show: the node's size `(total)`, what placement says it uses `(used_now)`, what its
 * instances' flavors add up to `(used_max)`, then the same sum per project.
 */
export async function showHost(deps: HostDeps, host: string): Promise<HostResource[]> {
  const { node, instances } = await mappedHost(deps, host);
  const used = (await nodeUsage(deps.api, [node.uuid]))(node.uuid);
  const sum = (project: string, list: typeof instances): HostResource => ({
    host,
    project,
    cpu: list.reduce((n, i) => n + i.vcpus, 0),
    memory_mb: list.reduce((n, i) => n + i.memory_mb, 0),
    disk_gb: list.reduce((n, i) => n + i.disk_gb, 0),
  });
  const projects = [...new Set(instances.map((i) => i.project_id))];
  return [
    { host, project: '(total)', cpu: node.vcpus, memory_mb: node.memory_mb, disk_gb: node.local_gb },
    { host, project: '(used_now)', cpu: used.vcpus_used, memory_mb: used.memory_mb_used, disk_gb: used.local_gb_used },
    sum('(used_max)', instances),
    ...projects.map((p) => sum(p, instances.filter((i) => i.project_id === p))),
  ];
}
