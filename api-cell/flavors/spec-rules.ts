/**
 * The extra specs Nova knows (from 2.86 a flavor's known specs are checked): each key's form,
 * with `{param}` parts, and what its value must be.
 */
export interface SpecRule {
  name: string;
  type: 'str' | 'int' | 'bool';
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
  params?: Record<string, string>;
}

type Params = Record<string, string>;
const text = (name: string, params?: Params): SpecRule => ({ name, type: 'str', ...(params ? { params } : {}) });
const bool = (name: string): SpecRule => ({ name, type: 'bool' });
const int = (name: string, min?: number, max?: number, params?: Params): SpecRule => ({
  name,
  type: 'int',
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
  ...(params ? { params } : {}),
});
const oneOf = (name: string, values: string[], params?: Params): SpecRule => ({ name, type: 'str', enum: values, ...(params ? { params } : {}) });
const matching = (name: string, pattern: string, params?: Params): SpecRule => ({ name, type: 'str', pattern, ...(params ? { params } : {}) });

const cpuList = '\\^?\\d+((-\\d+)?(,\\^?\\d+(-\\d+)?)?)*';
const group = { group: '([a-zA-Z0-9_-]{1,64})?' };

/** Placement's standard resource classes (os-resource-classes). */
const standardResources = [
  'VCPU', 'MEMORY_MB', 'DISK_GB', 'PCI_DEVICE', 'SRIOV_NET_VF', 'NUMA_SOCKET', 'NUMA_CORE', 'NUMA_THREAD', 'NUMA_MEMORY_MB',
  'IPV4_ADDRESS', 'VGPU', 'VGPU_DISPLAY_HEAD', 'NET_BW_EGR_KILOBIT_PER_SEC', 'NET_BW_IGR_KILOBIT_PER_SEC', 'PCPU',
  'MEM_ENCRYPTION_CONTEXT', 'FPGA', 'PGPU', 'NET_PACKET_RATE_KILOPACKET_PER_SEC', 'NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC',
];

/** Host fields the ComputeCapabilitiesFilter matches on. */
const capabilities = [
  'id', 'uuid', 'service_id', 'host', 'vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used',
  'hypervisor_type', 'hypervisor_version', 'hypervisor_hostname', 'free_ram_mb', 'free_disk_gb', 'current_workload',
  'running_vms', 'disk_available_least', 'host_ip', 'mapped', 'cpu_allocation_ratio', 'ram_allocation_ratio',
  'disk_allocation_ratio', 'total_usable_ram_mb', 'total_usable_disk_gb', 'disk_mb_used', 'free_disk_mb', 'vcpus_total',
  'num_instances', 'num_io_ops', 'failed_builds', 'aggregates', 'cell_uuid', 'updated',
];
const nestedCapabilities = [
  'cpu_info', 'metrics', 'stats', 'numa_topology', 'supported_hv_specs', 'pci_device_pools', 'nodename', 'pci_stats',
  'supported_instances', 'limits', 'instances',
];

const shares = ['custom', 'high', 'normal', 'low'];
const quotaRules = (): SpecRule[] => [
  ...['cpu', 'memory', 'disk_io', 'vif'].flatMap((r) => [
    int(`quota:${r}_limit`, 0),
    int(`quota:${r}_reservation`),
    oneOf(`quota:${r}_shares_level`, shares),
    int(`quota:${r}_shares_share`, 0),
  ]),
  int('quota:cpu_shares', 0),
  int('quota:cpu_period', 0),
  int('quota:cpu_quota'),
  ...['read', 'write', 'total'].flatMap((io) => [int(`quota:disk_${io}_bytes_sec`, 0), int(`quota:disk_${io}_iops_sec`, 0)]),
  ...['inbound', 'outbound'].flatMap((way) => ['average', 'peak', 'burst'].map((what) => int(`quota:vif_${way}_${what}`, 0))),
];

const hwRules = (): SpecRule[] => [
  bool('hw:cpu_realtime'),
  matching('hw:cpu_realtime_mask', '(\\^)?\\d+((-\\d+)?(,\\^?\\d+(-\\d+)?)?)*'),
  bool('hw:hide_hypervisor_id'),
  oneOf('hw:cpu_policy', ['dedicated', 'shared', 'mixed']),
  oneOf('hw:cpu_thread_policy', ['prefer', 'isolate', 'require']),
  oneOf('hw:emulator_threads_policy', ['isolate', 'share']),
  matching('hw:cpu_dedicated_mask', cpuList),
  matching('hw:mem_page_size', '(large|small|any|\\d+([kKMGT]i?)?(b|bit|B)?)'),
  bool('hw:locked_memory'),
  int('hw:numa_nodes', 1),
  matching('hw:numa_cpus.{num}', cpuList, { num: '\\d+' }),
  int('hw:numa_mem.{num}', 1, undefined, { num: '\\d+' }),
  oneOf('hw:pci_numa_affinity_policy', ['required', 'preferred', 'legacy', 'socket']),
  ...['sockets', 'cores', 'threads', 'max_sockets', 'max_cores', 'max_threads'].map((t) => int(`hw:cpu_${t}`, 1)),
  bool('hw:boot_menu'),
  bool('hw:vif_multiqueue_enabled'),
  bool('hw:mem_encryption'),
  oneOf('hw:mem_encryption_model', ['amd-sev', 'amd-sev-es', 'amd-sev-snp']),
  matching('hw:pmem', '([a-zA-Z0-9_]+(,)?)+'),
  bool('hw:pmu'),
  int('hw:serial_port_count', 0),
  oneOf('hw:tpm_model', ['tpm-tis', 'tpm-crb']),
  oneOf('hw:tpm_version', ['1.2', '2.0']),
  oneOf('hw:tpm_secret_security', ['user', 'host', 'deployment']),
  oneOf('hw:watchdog_action', ['none', 'pause', 'poweroff', 'reset', 'disabled']),
  oneOf('hw:viommu_model', ['intel', 'smmuv3', 'virtio', 'auto']),
  bool('hw:virtio_packed_ring'),
  oneOf('hw:sound_model', ['sb16', 'es1370', 'pcspk', 'ac97', 'ich6', 'ich9', 'usb', 'virtio']),
  oneOf('hw:usb_model', ['none', 'nec-xhci', 'qemu-xhci']),
  int('hw:redirected_usb_ports', 0, 15),
  bool('hw:ephemeral_encryption'),
  oneOf('hw:ephemeral_encryption_format', ['plain', 'luks', 'luksv2']),
  bool('hw_rng:allowed'),
  int('hw_rng:rate_bytes', 0),
  int('hw_rng:rate_period', 0),
  int('hw_video:ram_max_mb', 0),
];

export const specRules: SpecRule[] = [
  text('accel:device_profile'),
  text('aggregate_instance_extra_specs:{key}', { key: '.+' }),
  ...capabilities.map((c) => text(`capabilities:${c}`)),
  ...nestedCapabilities.map((c) => text(`capabilities:${c}{filter}`, { filter: '(:\\w+)*' })),
  ...hwRules(),
  bool('hide_hypervisor_id'),
  oneOf('group_policy', ['isolate', 'none']),
  oneOf('os:secure_boot', ['disabled', 'required']),
  matching('pci_passthrough:alias', '[^:]+:\\d+(?:\\s*,\\s*[^:]+:\\d+)*'),
  ...quotaRules(),
  ...standardResources.map((rc) => int(`resources{group}:${rc}`, undefined, undefined, group)),
  int('resources{group}:CUSTOM_{resource}', undefined, undefined, { ...group, resource: '[A-Z0-9_]+' }),
  // Nova lists os-traits' standard traits one by one; any upper-case trait name is taken here.
  oneOf('trait{group}:{trait}', ['required', 'forbidden'], { ...group, trait: '[A-Z0-9_]+' }),
  text('vmware:hw_version'),
  text('vmware:storage_policy'),
];
