import { resolve } from 'node:path';
import { layoutOf, type CellLayout, type DeploymentOptions, type Layout } from '../launcher/layout.js';
import { cellEnv, httpAnswers, nodeSpec, type NodeProcess } from '../launcher/plan.js';
import { buildStamp, type ProcessSpec } from '../launcher/processes.js';
import { haproxySpec, mariadbSettings, mariadbSpec, natsSpec, redisSpec, type DatabaseAccount, type Endpoint, type GaleraMember, type NatsMember, type RedisMaster } from './engines.js';
import type { MachineNetwork } from './network.js';
import type { Inventory, InventoryCell } from './schema.js';

/** The first port of each kind of service on a machine; a second of a kind on one machine takes the next. */
export const basePorts = { api: 8774, nats: 4222, natsCluster: 6222, mariadb: 3306, redis: 6379, sentinel: 26379, galera: 4567, galeraIst: 4568, galeraSst: 4444 } as const;

export interface MachinePlan {
  name: string;
  address: string;
  /** Set for a machine that is a network namespace on this box. */
  namespace?: string;
}

/** A process and the machine it runs on. */
export interface Placed {
  machine: string;
  spec: ProcessSpec;
}

export interface DatabaseMember {
  name: string;
  machine: string;
  endpoint: Endpoint;
  /** Set for a member of a Galera cluster (a database with several members). */
  galera?: GaleraMember;
}

/** A MariaDB server and the settings of its option file. */
export interface MariadbMember extends DatabaseMember {
  settings: string[];
}

/** A Redis server or Sentinel, and what it follows or watches. */
export interface RedisMember extends DatabaseMember {
  follows?: RedisMaster;
  watches?: RedisMaster;
}

/** Everything `deploy up --inventory` starts, where, and the layout the rest of the tools read. */
export interface InventoryPlan {
  layout: Layout;
  machines: MachinePlan[];
  databases: MariadbMember[];
  redis: RedisMember[];
  nats: NatsMember[];
  /** Set when the deployment has its own CA: the certificate every client trusts. */
  caFile?: string;
  /** MariaDB, Redis and NATS servers, in start order. */
  engines: Placed[];
  /** Conductors and compute pools; they need the cells' uuids from the API database. */
  cellProcesses(uuids: Map<string, string>): Placed[];
  /** Super-conductors and API processes. */
  apiProcesses: Placed[];
  /** HAProxy and the API processes behind it, when the inventory has a load balancer. */
  balancer?: { name: string; machine: string; endpoint: Endpoint; backends: Endpoint[] };
}

/** Addresses and secrets made by the first `up`, kept in the state dir for `down` and the next `up`. */
export interface InventoryState {
  network?: MachineNetwork;
  /** Each cell's uuid, once `deploy bootstrap` mapped it (real machines: `deploy plan` needs them). */
  cells?: Record<string, string>;
  /** The subnet the machines had before `down`: the next `up` takes it again when it is free, so addresses stay. */
  lastSubnet?: string;
  database: DatabaseAccount;
}

/** Hands out ports per machine: the first service of a kind gets the base port, the next base + 1. */
class PortBook {
  private readonly used = new Map<string, number>();
  take(machine: string, base: number): number {
    const key = `${machine}:${base}`;
    const n = this.used.get(key) ?? 0;
    this.used.set(key, n + 1);
    return base + n;
  }
}

export function machinesOf(inv: Inventory, network: MachineNetwork | undefined): MachinePlan[] {
  return Object.entries(inv.machines).map(([name, m]) => {
    const ns = network?.machines.find((n) => n.name === name);
    if (ns) return { name, address: ns.address, namespace: ns.namespace };
    if (!m.address) throw new Error(`machine ${name} has no address: its namespace does not exist (run deploy up first)`);
    return { name, address: m.address };
  });
}

/** The launcher's options for the deployment an inventory describes (secrets from the saved options). */
export function inventoryOptions(inv: Inventory, base: DeploymentOptions, file: string): DeploymentOptions {
  return {
    ...base,
    inventory: file,
    cells: inv.cells.length,
    dbPrefix: inv.name,
    apiPort: inv.api.port,
    superConductors: inv.super_conductors.length,
    apiWorkers: inv.api.workers,
    hostsPerCell: Math.max(0, ...inv.cells.map((c) => c.compute.reduce((n, p) => n + p.hosts, 0))),
  };
}

export function planInventory(inv: Inventory, options: DeploymentOptions, state: InventoryState, root: string, natsServer: string): InventoryPlan {
  const machines = machinesOf(inv, state.network);
  const address = (name: string): string => machines.find((m) => m.name === name)?.address ?? '';
  const ports = new PortBook();
  const at = (machine: string, base: number): Endpoint => ({ machine, address: address(machine), port: ports.take(machine, base) });
  const paths = layoutOf(options);
  const dirs = { stateDir: options.stateDir, runDir: paths.runDir };
  const { user, password } = state.database;

  const databases: MariadbMember[] = [];
  const database = (group: string, machines: string[]): string => {
    const members = machines.map((machine) => ({ name: `${group}-db-${machine}`, machine, endpoint: at(machine, basePorts.mariadb) }));
    // The k-th Galera member on a machine takes each of its three ports 10k above the base.
    const galeraPorts = machines.map((machine) => {
      const k = machines.length > 1 ? ports.take(machine, 0) * 10 : 0;
      return { group: basePorts.galera + k, ist: basePorts.galeraIst + k, sst: basePorts.galeraSst + k };
    });
    const groupAt = members.map((m, i) => ({ ...m.endpoint, group: galeraPorts[i]?.group ?? 0 }));
    members.forEach((m, i) => {
      const self = galeraPorts[i];
      const galera = members.length > 1 && self ? { cluster: `${inv.name}-${group}`, self, members: groupAt } : undefined;
      databases.push({ ...m, ...(galera ? { galera } : {}), settings: mariadbSettings(m.name, m.endpoint, dirs, galera) });
    });
    // One URL naming every member: clients use the first that answers (ops/runtime-db).
    const hosts = members.map((m) => `${m.endpoint.address}:${m.endpoint.port}`).join(',');
    return `mysql://${user}:${encodeURIComponent(password)}@${hosts}`;
  };
  const apiDbServer = database('api', inv.api_database);
  const { redis, redisUrl } = planRedis(inv, at);
  const cells = inv.cells.map((cell) => planCell(cell, inv.name, inv.tls, database(cell.name, cell.database), at, ports));

  const apiAt = inv.api.machines.map((machine) => at(machine, inv.api.port));
  const balancer = inv.load_balancer ? { name: `haproxy-${inv.load_balancer.machine}`, machine: inv.load_balancer.machine, endpoint: at(inv.load_balancer.machine, inv.load_balancer.port), backends: apiAt } : undefined;
  const front = balancer?.endpoint ?? apiAt[0];
  const caFile = inv.tls ? resolve(options.stateDir, 'ca', 'ca.pem') : undefined;
  // HTTPS where clients come in: at the balancer (API processes behind it still speak HTTP).
  const apiUrl = `${inv.tls && balancer ? 'https' : 'http'}://${front?.address ?? ''}:${front?.port ?? inv.api.port}`;
  // Links in API answers and cellctl's check name the address clients use.
  const config = { ...options.config, api: { ...options.config?.['api'], public_url: apiUrl } };
  const layoutOptions = { ...options, host: front?.address ?? options.host, apiPort: front?.port ?? inv.api.port, redisUrl, config };
  const layout: Layout = {
    ...paths,
    options: layoutOptions,
    apiDatabaseUrl: `${apiDbServer}/${inv.name}_api`,
    // The network and volume services are global like the API database: on its servers.
    networkDatabaseUrl: `${apiDbServer}/${inv.name}_network`,
    volumeDatabaseUrl: `${apiDbServer}/${inv.name}_volume`,
    cell0DatabaseUrl: `${apiDbServer}/${inv.name}_cell0`,
    apiUrl,
    ...(caFile ? { caFile } : {}),
    cells: cells.map((c) => c.layout),
  };

  const nats: NatsMember[] = cells.flatMap((c) =>
    c.nats.map((self) => ({ name: `${c.layout.name}-nats-${self.machine}`, cluster: `${inv.name}-${c.layout.name}`, self, peers: c.nats.filter((p) => p !== self) })),
  );
  const engines: Placed[] = [
    ...databases.map((d) => ({ machine: d.machine, spec: mariadbSpec(d.name, d.endpoint, dirs) })),
    ...redis.map((r) => ({ machine: r.machine, spec: redisSpec(r.name, r.endpoint, dirs, r.watches !== undefined) })),
    ...nats.map((member) => ({ machine: member.self.machine, spec: natsSpec(member, dirs, natsServer) })),
  ];

  const build = buildStamp(resolve(root, 'dist'));
  // Each process keeps its /metrics port however often the cells' processes are listed.
  const metricsPorts = new Map<string, number>();
  const place = (machine: string, p: NodeProcess): Placed => {
    const port = metricsPorts.get(p.name) ?? options.metricsPort + metricsPorts.size;
    metricsPorts.set(p.name, port);
    // Processes calling the API (conductors reach placement) trust the deployment CA.
    const withCa = caFile ? { ...p, env: { ...p.env, NODE_EXTRA_CA_CERTS: caFile } } : p;
    const spec = nodeSpec(layout, root, build, withCa, `${address(machine)}:${port}`);
    return { machine, spec: inMachine(spec, machines.find((m) => m.name === machine)) };
  };
  const apiProcesses = [
    ...inv.super_conductors.map((machine) => place(machine, { name: `super-conductor-${machine}`, main: 'super-conductor/main.js' })),
    ...apiAt.map((e) =>
      place(e.machine, {
        name: `api-${e.machine}`,
        main: 'api-cell/main.js',
        env: { CELLSTACK_API_LISTEN: `${e.address}:${e.port}` },
        ready: () => httpAnswers(`http://${e.address}:${e.port}/healthcheck`),
      }),
    ),
  ];
  const placedEngines = engines.map((e) => ({ ...e, spec: inMachine(e.spec, machines.find((m) => m.name === e.machine)) }));
  const cellProcesses = (uuids: Map<string, string>): Placed[] =>
    inv.cells.flatMap((cell, i) => {
      const planned = cells[i];
      if (!planned) return [];
      const env = cellEnv(planned.layout, uuids);
      return [
        ...cell.conductors.map((machine) => place(machine, { name: `${cell.name}-conductor-${machine}`, main: 'child-cell/conductor/main.js', env })),
        ...cell.compute.map((pool, j) => {
          const layoutPool = planned.layout.pools[j];
          return place(pool.machine, {
            name: layoutPool?.name ?? '',
            main: 'child-cell/compute/main.js',
            args: ['--hosts', String(pool.hosts), '--prefix', layoutPool?.prefix ?? ''],
            env,
          });
        }),
      ];
    });
  // What the load-test harness reads of a running deployment (ops/loadtest): every /metrics URL, each cell's first conductor.
  const nodes = [...cellProcesses(new Map()), ...apiProcesses];
  layout.metricsUrls = nodes.map((p) => `http://${p.spec.env?.['CELLSTACK_METRICS_LISTEN'] ?? ''}/metrics`);
  for (const cell of layout.cells) {
    const first = nodes.find((p) => p.spec.name.startsWith(`${cell.name}-conductor-`));
    if (first) cell.conductor = { name: first.spec.name, metricsUrl: `http://${first.spec.env?.['CELLSTACK_METRICS_LISTEN'] ?? ''}/metrics` };
  }
  if (balancer) apiProcesses.push({ machine: balancer.machine, spec: inMachine(haproxySpec(balancer.name, balancer.endpoint, dirs), machines.find((m) => m.name === balancer.machine)) });
  return { layout, machines, databases, redis, nats, ...(caFile ? { caFile } : {}), engines: placedEngines, cellProcesses, apiProcesses, ...(balancer ? { balancer } : {}) };
}

/** Redis: a master, its replicas and the Sentinels watching it; clients go through the Sentinels when there are any. */
function planRedis(inv: Inventory, at: (m: string, base: number) => Endpoint): { redis: RedisMember[]; redisUrl: string } {
  const servers = inv.redis.machines.map((machine) => ({ name: `redis-${machine}`, machine, endpoint: at(machine, basePorts.redis) }));
  const first = servers[0];
  if (!first) return { redis: [], redisUrl: '' };
  const sentinels = inv.redis.sentinels.map((machine) => ({ name: `redis-sentinel-${machine}`, machine, endpoint: at(machine, basePorts.sentinel) }));
  const master: RedisMaster = { name: inv.name, endpoint: first.endpoint, quorum: Math.floor(sentinels.length / 2) + 1, downAfterMs: inv.redis.down_after_ms };
  const redis: RedisMember[] = [first, ...servers.slice(1).map((r) => ({ ...r, follows: master })), ...sentinels.map((s) => ({ ...s, watches: master }))];
  const redisUrl = sentinels.length > 0
    ? `redis+sentinel://${sentinels.map((s) => `${s.endpoint.address}:${s.endpoint.port}`).join(',')}/${inv.name}/0`
    : `redis://${first.endpoint.address}:${first.endpoint.port}/0`;
  return { redis, redisUrl };
}

function planCell(cell: InventoryCell, deployment: string, tls: boolean, dbServer: string, at: (m: string, base: number) => Endpoint, ports: PortBook) {
  const nats = cell.nats.map((machine) => ({ ...at(machine, basePorts.nats), clusterPort: ports.take(machine, basePorts.natsCluster) }));
  const layout: CellLayout = {
    name: cell.name,
    databaseUrl: `${dbServer}/${deployment}_${cell.name}`,
    // Every member: a client that loses its server moves to another (the nats client takes a list).
    transportUrl: `${tls ? 'tls' : 'nats'}://${nats.map((n) => `${n.address}:${n.port}`).join(',')}`,
    natsPort: nats[0]?.port ?? basePorts.nats,
    pools: cell.compute.map((pool, j) => ({ name: `${cell.name}-compute-${j + 1}`, prefix: `${cell.name}-pool${j + 1}-host`, hosts: pool.hosts })),
  };
  return { layout, nats };
}

/** A process started inside its machine's namespace, when the machine is one. */
function inMachine(spec: ProcessSpec, machine: MachinePlan | undefined): ProcessSpec {
  if (!machine?.namespace) return spec;
  return { ...spec, command: 'ip', args: ['netns', 'exec', machine.namespace, spec.command, ...spec.args] };
}
