import type { Hypervisor } from '../../hosts/index.js';
import { atLeast, type Microversion } from '../microversion.js';

export interface HypervisorViewOptions {
  version: Microversion;
  detail: boolean;
  /** with_servers was asked for (2.53): from 2.75 `servers` is then always there, empty or not. */
  withServers?: boolean;
  /** The 2.88 detail view carries the host's uptime. */
  uptime?: string | null;
}

/**
 * Nova's hypervisor view: ids are node uuids from 2.53; the resource fields (now placement's)
 * leave the detail view at 2.88, which gains `uptime`.
 */
export function hypervisorView(h: Hypervisor, o: HypervisorViewOptions): Record<string, unknown> {
  const { node, usage } = h;
  const uuids = atLeast(o.version, '2.53');
  const view: Record<string, unknown> = {
    id: uuids ? node.uuid : node.id,
    hypervisor_hostname: node.hypervisor_hostname,
    state: h.up ? 'up' : 'down',
    status: node.service.disabled ? 'disabled' : 'enabled',
  };
  if (o.detail) {
    view['hypervisor_type'] = node.hypervisor_type;
    view['hypervisor_version'] = node.hypervisor_version;
    view['host_ip'] = node.host_ip;
    view['service'] = { id: uuids ? node.service.uuid : node.service.id, host: node.host, disabled_reason: node.service.disabled_reason };
    if (atLeast(o.version, '2.88')) view['uptime'] = o.uptime ?? null;
    else {
      const freeDisk = node.local_gb - usage.local_gb_used;
      Object.assign(view, {
        vcpus: node.vcpus,
        memory_mb: node.memory_mb,
        local_gb: node.local_gb,
        vcpus_used: usage.vcpus_used,
        memory_mb_used: usage.memory_mb_used,
        local_gb_used: usage.local_gb_used,
        free_ram_mb: node.memory_mb - usage.memory_mb_used,
        free_disk_gb: freeDisk,
        current_workload: node.current_workload,
        running_vms: node.running_vms,
        disk_available_least: freeDisk,
        // The fake hypervisor reports no CPU details: an empty JSON object, as a string before 2.28.
        cpu_info: atLeast(o.version, '2.28') ? {} : '{}',
      });
    }
  }
  const servers = node.servers ?? [];
  if (servers.length > 0) view['servers'] = servers.map((s) => ({ name: s.name, uuid: s.uuid }));
  else if (o.withServers && atLeast(o.version, '2.75')) view['servers'] = [];
  return view;
}
