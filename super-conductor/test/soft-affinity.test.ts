import test from 'ava';
import type { GroupSpec, RequestSpec } from '../../api-cell/builds/index.js';
import { loadConfig } from '../../ops/runtime/index.js';
import { chooseHost, defaultFilters, defaultWeighers, filterHosts, resourcesOf, Weighing, type HostState } from '../scheduler/index.js';

// The soft server-group weighers are pure functions of host states and group counts.
const config = loadConfig({ env: {} }).scheduler;
const now = Date.now();

function host(name: string, freeRam = 65536): HostState {
  return {
    host: name,
    node: name,
    cellId: 1,
    cellUuid: 'cell-1',
    cellName: 'cell1',
    cellDisabled: false,
    cellDown: false,
    availabilityZone: 'nova',
    service: { disabled: false, disabledReason: null, forcedDown: false, lastSeenUp: now, unreachableUntil: 0 },
    provider: {
      id: name.length,
      uuid: name,
      name,
      host: name,
      generation: 1,
      inventories: {
        VCPU: { total: 16, reserved: 0, min_unit: 1, max_unit: 16, step_size: 1, allocation_ratio: 1 },
        MEMORY_MB: { total: 65536, reserved: 0, min_unit: 1, max_unit: 65536, step_size: 1, allocation_ratio: 1 },
        DISK_GB: { total: 1000, reserved: 0, min_unit: 1, max_unit: 1000, step_size: 1, allocation_ratio: 1 },
      },
      usages: { MEMORY_MB: 65536 - freeRam },
    },
  };
}

function spec(policy: string | null): RequestSpec {
  const group: GroupSpec | null = policy ? { uuid: 'g', policy, rules: {} } : null;
  return {
    instance_uuid: 'i',
    project_id: 'p',
    user_id: 'u',
    flavor: { id: 1, flavorid: '1', name: 'm1.tiny', vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, swap: 0, extra_specs: {} },
    image: { id: 'img', min_ram: 0, min_disk: 0, properties: {} },
    availability_zone: null,
    reservation_id: 'r',
    num_instances: 1,
    min_count: 1,
    group,
    scheduler_hints: {},
    ignore_hosts: [],
    request_id: 'req',
  };
}

const chosen = (hosts: HostState[], s: RequestSpec, groupHosts: Map<string, number>, multipliers = config) =>
  chooseHost(new Weighing(hosts, defaultWeighers, multipliers, { spec: s, groupHosts }).candidates, 1, 0)?.chosen.host;

test('soft affinity - soft-anti-affinity prefers the host holding fewest members', (t) => {
  const hosts = [host('a'), host('b'), host('c')];
  t.is(chosen(hosts, spec('soft-anti-affinity'), new Map([['a', 1], ['b', 2]])), 'c');
  t.is(chosen(hosts, spec('soft-anti-affinity'), new Map([['a', 1], ['b', 1], ['c', 2]])), 'a');
});

test('soft affinity - soft-affinity prefers the host holding most members', (t) => {
  const hosts = [host('a'), host('b'), host('c')];
  t.is(chosen(hosts, spec('soft-affinity'), new Map([['b', 2], ['c', 1]])), 'b');
});

test('soft affinity - the group weigher outweighs free RAM when its multiplier is larger, and not when it is zero', (t) => {
  // 'busy' holds a member of the group but has the most free RAM.
  const hosts = [host('busy'), host('quiet', 60000)];
  const members = new Map([['busy', 1]]);
  t.is(chosen(hosts, spec('soft-anti-affinity'), members, { ...config, soft_anti_affinity_weight_multiplier: 3 }), 'quiet');
  t.is(chosen(hosts, spec('soft-anti-affinity'), members, { ...config, soft_anti_affinity_weight_multiplier: 0 }), 'busy');
  t.is(chosen(hosts, spec('soft-affinity'), new Map([['quiet', 1]]), { ...config, soft_affinity_weight_multiplier: 3 }), 'quiet');
});

test('soft affinity - the weighers ignore requests of other policies or with no group', (t) => {
  const hosts = [host('a'), host('b', 60000)];
  const members = new Map([['a', 3]]);
  for (const policy of [null, 'affinity', 'anti-affinity']) {
    t.is(chosen(hosts, spec(policy), members, { ...config, soft_anti_affinity_weight_multiplier: 10, soft_affinity_weight_multiplier: 10 }), 'a');
  }
});

test('soft affinity - soft policies never filter a host out, however many members it holds', (t) => {
  const hosts = [host('a'), host('b')];
  for (const policy of ['soft-affinity', 'soft-anti-affinity']) {
    const s = spec(policy);
    const context = { now, serviceDownTimeMs: 60_000, defaultAvailabilityZone: 'nova', resources: resourcesOf(s), groupHosts: new Map([['a', 5], ['b', 9]]) };
    t.deepEqual(filterHosts(hosts, s, context, defaultFilters).passed.map((h) => h.host), ['a', 'b']);
  }
});
