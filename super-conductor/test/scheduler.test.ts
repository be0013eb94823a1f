import test from 'ava';
import type { RequestSpec } from '../../api-cell/builds/index.js';
import { loadConfig } from '../../ops/runtime/index.js';
import { chooseHost, defaultFilters, defaultWeighers, filterHosts, resourcesOf, Weighing, type FilterContext, type HostState } from '../scheduler/index.js';

// The filters and weighers are pure functions of host states; these tests drive them directly.
const config = loadConfig({ env: {} }).scheduler;
const now = Date.now();

function host(name: string, over: { cell?: number; zone?: string; freeRam?: number; down?: boolean; disabled?: boolean; cellDisabled?: boolean } = {}): HostState {
  const usedRam = 65536 - (over.freeRam ?? 65536);
  return {
    host: name,
    node: name,
    cellId: over.cell ?? 1,
    cellUuid: `cell-${over.cell ?? 1}`,
    cellName: `cell${over.cell ?? 1}`,
    cellDisabled: over.cellDisabled ?? false,
    cellDown: false,
    availabilityZone: over.zone ?? 'nova',
    service: { disabled: over.disabled ?? false, disabledReason: over.disabled ? 'maintenance' : null, forcedDown: false, lastSeenUp: over.down ? now - 120_000 : now, unreachableUntil: 0 },
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
      usages: { MEMORY_MB: usedRam },
    },
  };
}

function spec(over: Partial<RequestSpec> = {}): RequestSpec {
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
    group: null,
    scheduler_hints: {},
    ignore_hosts: [],
    request_id: 'req',
    ...over,
  };
}

function context(s: RequestSpec, groupHosts: Map<string, number> = new Map()): FilterContext {
  return { now, serviceDownTimeMs: 60_000, defaultAvailabilityZone: 'nova', resources: resourcesOf(s), groupHosts };
}

const passing = (hosts: HostState[], s: RequestSpec, groupHosts?: Map<string, number>) =>
  filterHosts(hosts, s, context(s, groupHosts), defaultFilters).passed.map((h) => h.host);

test('scheduler - hosts whose service is down or disabled, or whose cell is disabled, are filtered out with the reason counted', (t) => {
  const hosts = [host('ok'), host('down', { down: true }), host('off', { disabled: true }), host('closed', { cellDisabled: true })];
  const { passed, rejections } = filterHosts(hosts, spec(), context(spec()), defaultFilters);
  t.deepEqual(passed.map((h) => h.host), ['ok']);
  t.deepEqual(rejections.byFilter, { ComputeFilter: 2, CellFilter: 1 });
});

test('scheduler - the availability zone filter keeps a request in its zone', (t) => {
  const hosts = [host('a', { zone: 'east' }), host('b', { zone: 'west' }), host('c')];
  t.deepEqual(passing(hosts, spec({ availability_zone: 'west' })), ['b']);
  t.deepEqual(passing(hosts, spec()), ['a', 'b', 'c'], 'no zone asked: any zone');
});

test('scheduler - same_host keeps a request with the instances it names, different_host away from them (one uuid or a list)', (t) => {
  const hosts = [host('a'), host('b'), host('c')];
  const where = new Map([['i1', 'a'], ['i2', 'b']]);
  const pass = (hints: Record<string, unknown>) => {
    const s = spec({ scheduler_hints: hints });
    return filterHosts(hosts, s, { ...context(s), hintHosts: where }, defaultFilters).passed.map((h) => h.host);
  };
  t.deepEqual(pass({ same_host: 'i1' }), ['a']);
  t.deepEqual(pass({ same_host: ['i1', 'i2'] }), ['a', 'b'], 'any of them');
  t.deepEqual(pass({ different_host: 'i1' }), ['b', 'c']);
  t.deepEqual(pass({ different_host: ['i1', 'i2'] }), ['c']);
  t.deepEqual(pass({ same_host: 'gone' }), [], 'an instance on no host leaves no host for same_host');
  t.deepEqual(pass({}), ['a', 'b', 'c']);
  const s = spec({ scheduler_hints: { different_host: ['i1', 'i2'] } });
  t.deepEqual(filterHosts(hosts, s, { ...context(s), hintHosts: where }, defaultFilters).rejections.byFilter, { DifferentHostFilter: 2 });
});

test('scheduler - a flavor that does not fit the free RAM is filtered out', (t) => {
  const hosts = [host('full', { freeRam: 256 }), host('roomy')];
  t.deepEqual(passing(hosts, spec()), ['roomy']);
});

test('scheduler - anti-affinity spreads a group over hosts; max_server_per_host lets more share one', (t) => {
  const hosts = [host('a'), host('b'), host('c')];
  const anti = spec({ group: { uuid: 'g', policy: 'anti-affinity', rules: {} } });
  t.deepEqual(passing(hosts, anti, new Map([['a', 1]])), ['b', 'c']);
  const two = spec({ group: { uuid: 'g', policy: 'anti-affinity', rules: { max_server_per_host: 2 } } });
  t.deepEqual(passing(hosts, two, new Map([['a', 1], ['b', 2]])), ['a', 'c']);
});

test('scheduler - affinity keeps a group on the host its members are on', (t) => {
  const hosts = [host('a'), host('b'), host('c')];
  const affinity = spec({ group: { uuid: 'g', policy: 'affinity', rules: {} } });
  t.deepEqual(passing(hosts, affinity), ['a', 'b', 'c'], 'the first member may go anywhere');
  t.deepEqual(passing(hosts, affinity, new Map([['b', 1]])), ['b']);
});

test('scheduler - RAM weighing spreads by default and stacks with a negative multiplier', (t) => {
  const hosts = [host('empty'), host('half', { freeRam: 32768 }), host('nearly', { freeRam: 4096 })];
  const spread = chooseHost(new Weighing(hosts, defaultWeighers, config).candidates, 1, 2);
  t.is(spread?.chosen.host, 'empty');
  const stacking = { ...config, ram_weight_multiplier: -1, cpu_weight_multiplier: 0, disk_weight_multiplier: 0 };
  const stack = chooseHost(new Weighing(hosts, defaultWeighers, stacking).candidates, 1, 2);
  t.is(stack?.chosen.host, 'nearly');
});

test('scheduler - alike hosts: the first is always picked, or with shuffle_best_same_weighed_hosts any of them, in every cell', (t) => {
  const hosts = [1, 2, 3, 4].flatMap((cell) => [host(`c${cell}-a`, { cell }), host(`c${cell}-b`, { cell })]);
  hosts.push(host('fuller', { cell: 1, freeRam: 1024 }));
  const candidates = new Weighing(hosts, defaultWeighers, config).candidates;
  const picks = (shuffle: boolean) => new Set(Array.from({ length: 400 }, () => chooseHost(candidates, 1, 2, shuffle)?.chosen.host));
  t.deepEqual([...picks(false)], ['c1-a']);
  const shuffled = picks(true);
  t.deepEqual([...shuffled].sort((a, b) => String(a).localeCompare(String(b))), ['c1-a', 'c1-b', 'c2-a', 'c2-b', 'c3-a', 'c3-b', 'c4-a', 'c4-b'], 'every best host, never the fuller one');
  const selection = chooseHost(candidates, 1, 2, true);
  t.true(selection?.alternates.every((h) => h.cellId === selection.chosen.cellId));
});

test('scheduler - alternates come from the chosen host cell only, best first', (t) => {
  const hosts = [host('one-a', { cell: 1 }), host('one-b', { cell: 1, freeRam: 32768 }), host('two-a', { cell: 2, freeRam: 60000 }), host('one-c', { cell: 1, freeRam: 16384 })];
  const selection = chooseHost(new Weighing(hosts, defaultWeighers, config).candidates, 1, 2);
  t.is(selection?.chosen.host, 'one-a');
  t.deepEqual(selection?.alternates.map((h) => h.host), ['one-b', 'one-c']);
});
