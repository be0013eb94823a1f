import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';

/**
 * Every configuration key, its default and what it does. `cellctl config sample` prints this
 * as the documented file `ops/config/cellstack.yaml`; a test keeps the two in step.
 */
const str = (value: string, description: string) => Type.String({ default: value, description });
const int = (value: number, description: string, minimum = 0) =>
  Type.Integer({ default: value, description, minimum });
const num = (value: number, description: string, minimum?: number) =>
  Type.Number({ default: value, description, ...(minimum === undefined ? {} : { minimum }) });
const bool = (value: boolean, description: string) => Type.Boolean({ default: value, description });
const section = <T extends Record<string, TSchema>>(description: string, properties: T) =>
  Type.Object(properties, { default: {}, description, additionalProperties: false });

export const ConfigSchema = Type.Object(
  {
    api: section('The Compute API process (api-cell).', {
      listen: str('127.0.0.1:8774', 'host:port the Compute API listens on.'),
      workers: int(1, 'API worker processes sharing the listening socket; a worker that dies is started again while the others serve (deploy up: 2 on 2 or more cores).', 1),
      public_url: str('', 'Base URL clients reach the API at, used in links; empty means http://<listen>.'),
      max_body_bytes: int(114688, 'Largest request body accepted; larger bodies get 413.', 1024),
      max_image_bytes: int(8388608, 'Largest image upload kept (image data lives in the API database; fake hosts never read it).', 0),
      auth_strategy: Type.Union([Type.Literal('keystone'), Type.Literal('trusted-headers')], {
        default: 'keystone',
        description:
          'keystone: callers present a token (X-Auth-Token). trusted-headers: the caller is whoever X-User-Id, X-Project-Id and X-Roles say; for tests and development only, never behind a public endpoint.',
      }),
      terminate_timeout_ms: int(5000, 'How long a delete waits for the host before deleting in the cell directly.', 100),
      max_limit: int(1000, 'Most items one list page returns (Nova osapi_max_limit).', 1),
      console_token_ttl: int(600, 'Seconds a remote console URL keeps working (Nova [consoleauth] token_ttl).', 1),
    }),
    database: section('The API database, the one global database of a deployment.', {
      api_url: str('mysql://root@127.0.0.1:3306/cellstack_api', 'URL of the API database.'),
      network_url: str('', 'URL of the network service\'s database (global, like the API database); empty: beside the API database, its name ending _network instead of _api.'),
      pool_max: int(5, 'Most connections one process keeps open to any one database.', 1),
      connect_timeout_ms: int(3000, 'How long to wait for a database connection before calling it down.', 100),
    }),
    redis: section('Redis, which carries the build queue from the API to the super-conductor.', {
      url: str('redis://127.0.0.1:6379/0', 'URL of the Redis server, or redis+sentinel://h1:26379,h2:26379/<master name>/<db> to find the master through Sentinels and follow its failovers.'),
      queue_prefix: str('cellstack', 'Prefix of every BullMQ key, so deployments can share a Redis.'),
    }),
    quota: section('Default quota limits for a project without its own (-1 means unlimited).', {
      instances: int(10, 'Servers a project may have.', -1),
      cores: int(20, 'vCPUs over all of a project\'s servers.', -1),
      ram: int(51200, 'MiB of RAM over all of a project\'s servers.', -1),
      metadata_items: int(128, 'Metadata items a server may carry.', -1),
      key_pairs: int(100, 'Key pairs a user may have.', -1),
      server_groups: int(10, 'Server groups a project may have.', -1),
      server_group_members: int(10, 'Servers a server group may hold.', -1),
    }),
    scheduler: section('How the super-conductor picks hosts (Nova filter scheduler).', {
      max_attempts: int(3, 'Hosts tried for one build: the chosen one plus alternates in the same cell.', 1),
      unreachable_host_ms: int(20000, 'A host that did not answer a cast is left out of scheduling this long, at once rather than after compute.service_down_time.', 0),
      host_subset_size: int(1, 'Pick at random among this many best hosts, to spread concurrent builds.', 1),
      shuffle_best_same_weighed_hosts: bool(false, 'Pick at random among all hosts that share the best weight, instead of the first of them; spreads builds over cells whose hosts are alike.'),
      ram_weight_multiplier: num(1, 'Weight of free RAM: positive spreads, negative stacks.'),
      cpu_weight_multiplier: num(1, 'Weight of free vCPUs: positive spreads, negative stacks.'),
      disk_weight_multiplier: num(1, 'Weight of free disk: positive spreads, negative stacks.'),
      soft_affinity_weight_multiplier: num(1, 'Weight of soft-affinity server groups: how strongly members are put with the group.', 0),
      soft_anti_affinity_weight_multiplier: num(1, 'Weight of soft-anti-affinity server groups: how strongly members are kept apart.', 0),
      host_state_refresh_ms: int(1000, 'How often host states are refreshed from what changed since the last refresh.', 100),
      host_state_full_refresh_ms: int(60000, 'How often every host state is read afresh.', 1000),
      default_availability_zone: str('nova', 'Availability zone of hosts in no zone aggregate.'),
      discover_hosts_in_cells_interval: int(
        -1,
        'Seconds between looks for compute hosts not yet mapped to their cell (what `cellctl host discover` does), so new pools are scheduled without a hand step; -1 never.',
        -1,
      ),
    }),
    super_conductor: section('The build pipeline (super-conductor processes).', {
      concurrency: int(64, 'Build jobs one super-conductor process takes at once; those waiting together are built as one batch.', 1),
      max_batch: int(256, 'Most servers built in one batch (one scheduling pass and one write per cell).', 1),
      job_attempts: int(5, 'Times a build job is tried before its builds are put in ERROR.', 1),
      job_lock_ms: int(30000, 'A job whose worker stops renewing its lock this long (the process died) is taken by another.', 500),
      reaper_interval_ms: int(5000, 'How often build requests without a live job are looked for (and whether Redis lost its jobs).', 100),
      reaper_stale_ms: int(20000, 'Age after which a build request without a live job is queued again; when Redis came back empty, every one is, at once.', 100),
      build_watch_interval_ms: int(5000, 'How often the cells are searched for builds that stopped moving (0: never).', 0),
      build_wait_for_hosts_ms: int(300000, 'How long a build that only hosts not answering just now could take waits for them (scheduled again every 2 s) before it is failed as no valid host.', 0),
      build_stall_ms: int(15000, 'A build whose row has not changed this long while its host has not started it (or its host is down) is cast again or scheduled again.', 1000),
      cast_timeout_ms: int(10000, 'How long a host has to acknowledge a build before it is tried again.', 100),
      snapshot_timeout_ms: int(600_000, 'How long a host has to copy a guest disk (createImage, shelve) or spawn one (unshelve) before the job is tried again.', 1000),
    }),
    compute: section('Compute services and the hosts they run.', {
      instance_build_timeout: num(0, 'Seconds after which a build still not ACTIVE goes to ERROR (Nova\'s instance_build_timeout), the last resort after casting again and scheduling again; 0: never.', 0),
      report_interval: num(10, 'Seconds between a host\'s heartbeats.', 0.01),
      resource_report_interval: num(60, 'Seconds between a host\'s resource reports.', 0.01),
      service_down_time: num(60, 'Seconds without a heartbeat after which a host counts as down.', 0.05),
      cpu_allocation_ratio: num(16, 'vCPU overcommit ratio of new hosts.', 0.0001),
      ram_allocation_ratio: num(1.5, 'RAM overcommit ratio of new hosts.', 0.0001),
      disk_allocation_ratio: num(1, 'Disk overcommit ratio of new hosts.', 0.0001),
      shelved_offload_time: Type.Integer({
        default: 0,
        minimum: -1,
        description: 'Seconds a shelved server keeps its host before it is offloaded (its guest and allocation go): 0 at once, -1 never (shelveOffload does it).',
      }),
      shelved_poll_interval: num(3600, 'Seconds between the super-conductor\'s checks for shelved servers past shelved_offload_time (0 or less: never).'),
      reclaim_instance_interval: Type.Integer({
        default: 0,
        minimum: 0,
        description: 'Seconds a deleted server stays SOFT_DELETED (restore brings it back, forceDelete ends it) before the super-conductor deletes it; also how often it looks. 0: deletes are immediate.',
      }),
      driver: Type.Union([Type.Literal('fake'), Type.Literal('qemu')], {
        default: 'fake',
        description: 'The virt driver of a compute pool: fake (in-memory guests, for load tests) or qemu (real guests, see docs/real-guests.md). Set per pool process with CELLSTACK_COMPUTE_DRIVER.',
      }),
    }),
    qemu: section('The QEMU virt driver (compute.driver qemu).', {
      binary: str('qemu-system-x86_64', 'The QEMU system emulator guests run in.'),
      accel: Type.Union([Type.Literal('auto'), Type.Literal('kvm'), Type.Literal('tcg')], {
        default: 'auto',
        description: 'auto: KVM when /dev/kvm opens and its module runs ordinary guests (kvm-pvm does not: TCG then), TCG otherwise. kvm, tcg: that one.',
      }),
      state_dir: str('.cellstack/qemu', 'Where each host keeps its guests (overlay disk, pidfile, QMP socket, console log), one folder per host and guest.'),
      image_cache_dir: str('', 'Where base images fetched from the image service are kept, shared by every host of the machine; empty: <state_dir>/images.'),
      image_url: str('http://127.0.0.1:8774/image', 'The image service (Glance v2) hosts download base images from, with placement.service_token as their credential.'),
      shutdown_timeout: num(60, 'Seconds a guest has to power off cleanly (ACPI) on stop before it is turned off (Nova\'s shutdown_timeout).', 0),
      console_log_bytes: int(1048576, 'Most bytes of serial console output kept per guest; older output is dropped.', 4096),
    }),
    fake_driver: section('The fake virt driver that fake compute hosts run.', {
      vcpus: int(16, 'vCPUs each fake host has.', 1),
      memory_mb: int(65536, 'MiB of RAM each fake host has.', 1),
      local_gb: int(1000, 'GiB of disk each fake host has.', 1),
      spawn_ms: int(0, 'Time a spawn takes, in milliseconds (mean; the median with lognormal).', 0),
      spawn_jitter_ms: int(0, 'Spawn time spread, in milliseconds (see time_distribution).', 0),
      action_ms: int(0, 'Time any other guest action takes, in milliseconds (mean; the median with lognormal).', 0),
      action_jitter_ms: int(0, 'Action time spread, in milliseconds (see time_distribution).', 0),
      time_distribution: Type.Union([Type.Literal('uniform'), Type.Literal('normal'), Type.Literal('lognormal')], {
        default: 'uniform',
        description:
          'How spawn and action times spread. uniform: mean +/- jitter. normal: jitter is the standard deviation (never below 0). lognormal: the long tail real hypervisors show; jitter/mean is sigma.',
      }),
      failure_rate: num(0, 'Share of spawns that fail (0 to 1).', 0),
    }),
    identity: section('Identity (a Keystone v3 subset served by the API process) and token checks.', {
      token_secret: str('', 'Secret that signs tokens; every API process of a deployment must share it. Required with auth_strategy keystone unless external_url is set.'),
      token_ttl_s: int(3600, 'Seconds a token is valid.', 60),
      region: str('RegionOne', 'Region named in the service catalog.'),
      external_url: str('', 'Validate tokens against this Keystone (its /v3 URL) instead of the built-in identity.'),
      service_user: str('', 'With external_url: the user the API authenticates as to validate tokens.'),
      service_password: str('', 'With external_url: that user\'s password.'),
      service_project: str('service', 'With external_url: that user\'s project.'),
    }),
    volume: section('The volume service (a Block Storage v3 subset served by the API process) and its file backend.', {
      database_url: str('mysql://root@127.0.0.1:3306/cellstack_volume', 'URL of the volume service\'s own database.'),
      backend_dir: str('.cellstack/volumes', 'Directory the volume and snapshot files live in (one file each, made with qemu-img); deploy up uses <state-dir>/volumes.'),
      volume_format: Type.Union([Type.Literal('qcow2'), Type.Literal('raw')], { default: 'qcow2', description: 'Format of the volume files.' }),
      availability_zone: str('nova', 'Availability zone of the volume backend (Cinder storage_availability_zone).'),
      stalled_work_s: int(600, 'Seconds a volume or snapshot may stay creating, extending or deleting without its work moving before an API process takes the work up again (the process doing it died).', 1),
      quota_volumes: int(10, 'Volumes a project may have (-1 unlimited).', -1),
      quota_snapshots: int(10, 'Volume snapshots a project may have (-1 unlimited).', -1),
      quota_gigabytes: int(1000, 'GiB over all of a project\'s volumes and snapshots (-1 unlimited).', -1),
      quota_per_volume_gigabytes: int(-1, 'Largest volume a project may create, in GiB (-1 unlimited).', -1),
    }),
    placement: section('Placement (resource providers and allocations) as cell conductors reach it.', {
      url: str('http://127.0.0.1:8774/placement', 'Base URL of the placement API, served by the Compute API process.'),
      service_token: str('', 'Shared secret services present to placement (X-Service-Token); empty turns service access off.'),
      timeout_ms: int(5000, 'How long a placement call may take.', 100),
    }),
    cells: section('How the API cell reaches child cells.', {
      scatter_timeout_ms: int(5000, 'How long a question asked of every cell waits before a cell counts as down.', 100),
    }),
    cell: section('For processes that run inside one child cell (conductor, compute pools).', {
      name: str('', 'Name of the cell, as in its cell mapping.'),
      uuid: str('', 'UUID of the cell; bus subjects are namespaced with it.'),
      database_url: str('', "URL of the cell's own database."),
      transport_url: str('', "URL of the cell's own NATS server."),
    }),
    logging: section('Structured JSON logs on standard output.', {
      level: str('info', 'Lowest level written: trace, debug, info, warn, error or fatal.'),
    }),
    dashboard: section('The web dashboard (api-cell/dashboard): operators and project users sign in with their own credentials.', {
      listen: str('127.0.0.1:8780', 'host:port the dashboard listens on; it serves under /dashboard.'),
      probe_interval_ms: int(1000, "How often each cell's bus and database are probed for the cells page.", 100),
      probe_timeout_ms: int(1500, 'How long a probe waits before the cell counts as unreachable.', 100),
      conductor_metrics: str('', "Each cell's conductor /metrics, as cell=URL[,cell=URL...]: the cells page shows their messages/s and CPU (deploy up fills it in)."),
    }),
    metrics: section('Prometheus metrics.', {
      listen: str('', 'host:port where /metrics is served; empty turns the endpoint off.'),
    }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

export interface ConfigKey {
  section: string;
  key: string;
  env: string;
  schema: TSchema;
}

/** Every leaf key of the schema, with the environment variable that overrides it. */
export function configKeys(): ConfigKey[] {
  const keys: ConfigKey[] = [];
  for (const [section, sectionSchema] of Object.entries(ConfigSchema.properties)) {
    for (const [key, schema] of Object.entries((sectionSchema as TObject).properties)) {
      keys.push({ section, key, env: `CELLSTACK_${section}_${key}`.toUpperCase(), schema });
    }
  }
  return keys;
}
