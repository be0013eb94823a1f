import type { AdminCredentials, CloudFacts } from './cloud.js';

type Section = Record<string, string | number | boolean>;

/*
 * Feature flags as cellstack serves them (README, API coverage). On: every server action it
 * implements, VNC consoles, resize, live and cold migration (block migration: fake hosts share
 * no storage), stable-device rescue (2.87), volumes (Cinder's API, docs/volumes.md). Off: what needs Neutron, Swift, a metadata service, config drives, or a
 * console type it does not serve.
 */
const computeFeatures: Section = {
  console_output: true,
  change_password: true,
  resize: true,
  pause: true,
  suspend: true,
  shelve: true,
  shelve_migrate: false,
  snapshot: true,
  rescue: true,
  stable_rescue: true,
  cold_migration: true,
  live_migration: true,
  block_migration_for_live_migration: true,
  // Servers move only inside their cell (as in a multi-cell Nova): let the scheduler pick the host.
  can_migrate_between_any_hosts: false,
  vnc_console: true,
  spice_console: false,
  rdp_console: false,
  serial_console: false,
  enable_instance_password: true,
  disk_config: true,
  interface_attach: false,
  metadata_service: false,
  config_drive: false,
  personality: false,
  attach_encrypted_volume: false,
  swap_volume: false,
  volume_multiattach: false,
  volume_backed_live_migration: false,
  block_migrate_cinder_iscsi: false,
  unified_limits: false,
  // Nova's names of the filters cellstack's scheduler runs (super-conductor/scheduler/filters).
  scheduler_enabled_filters: 'AvailabilityZoneFilter,ComputeFilter,ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter,SameHostFilter,DifferentHostFilter',
  // Misnamed: it gates writable server metadata (which cellstack serves) along with os-agents
  // and resetNetwork (which Nova removed; those tests fail and docs/conformance.md says why).
  xenapi_apis: true,
};

/** The tempest.conf of one run: the deployment's endpoints, the admin Tempest makes its dynamic users with, and the flags above. */
export function tempestConf(workspace: string, creds: AdminCredentials, cloud: CloudFacts): string {
  const sections: Record<string, Section> = {
    DEFAULT: { log_file: 'tempest.log', log_dir: `${workspace}/logs` },
    auth: {
      use_dynamic_credentials: true,
      create_isolated_networks: false,
      admin_username: creds.username,
      admin_password: creds.password,
      admin_project_name: creds.projectName,
      admin_domain_name: creds.domainName,
    },
    identity: { uri_v3: creds.authUrl, auth_version: 'v3', region: cloud.region, v3_endpoint_type: 'public' },
    compute: {
      image_ref: cloud.imageRef,
      image_ref_alt: cloud.imageRefAlt,
      flavor_ref: cloud.flavorRef,
      flavor_ref_alt: cloud.flavorRefAlt,
      region: cloud.region,
      endpoint_type: 'publicURL',
      min_microversion: '2.1',
      max_microversion: '2.103',
      min_compute_nodes: Math.min(cloud.computeHosts, 2),
      // Offloaded at once on shelve, as cellstack's compute.shelved_offload_time 0 does.
      shelved_offload_time: 0,
      // Fake hosts build in about a second; a state never reached fails in 2 minutes, not 5.
      build_timeout: 120,
    },
    'compute-feature-enabled': computeFeatures,
    image: { region: cloud.region, endpoint_type: 'publicURL' },
    'image-feature-enabled': { api_v1: false, api_v2: true },
    // No Neutron: no network extension is there, so tests needing one (trunk ports) skip.
    'network-feature-enabled': { api_extensions: '' },
    service_available: { nova: true, glance: true, neutron: false, cinder: true, swift: false, heat: false, horizon: false },
    volume: { region: cloud.region, endpoint_type: 'publicURL', catalog_type: 'volumev3', min_microversion: '3.0', max_microversion: '3.70', volume_size: 1 },
    'volume-feature-enabled': { api_v3: true, backup: false, snapshot: true, clone: true, extend_attached_volume: false, manage_volume: false, manage_snapshot: false },
    validation: { run_validation: false },
    oslo_concurrency: { lock_path: `${workspace}/tempest_lock` },
  };
  return Object.entries(sections)
    .map(([name, keys]) => [`[${name}]`, ...Object.entries(keys).map(([k, v]) => `${k} = ${String(v)}`)].join('\n'))
    .join('\n\n')
    .concat('\n');
}
