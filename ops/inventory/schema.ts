import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { problems } from '../loadtest/scenario.js';
import { InvalidInputError } from '../runtime/index.js';

const machineName = Type.String({ pattern: '^[a-z][a-z0-9-]{0,19}$', description: 'A machine named under `machines`.' });
const members = (description: string, minItems = 1, maxItems?: number) =>
  Type.Array(machineName, { minItems, uniqueItems: true, description, ...(maxItems ? { maxItems } : {}) });

const Machine = Type.Object(
  {
    address: Type.Optional(Type.String({ format: 'ipv4', description: 'The IPv4 address the other machines reach it at (network.kind hosts). Namespace machines get one from the launcher, from network.subnet.' })),
  },
  { additionalProperties: false, default: {} },
);

const Network = Type.Object(
  {
    kind: Type.Union([Type.Literal('namespaces'), Type.Literal('hosts')], {
      default: 'namespaces',
      description: '`namespaces`: every machine is a Linux network namespace on this box, made by `deploy up` and removed by `deploy down`. `hosts`: real machines; `deploy plan` prints what to start on each.',
    }),
    subnet: Type.Optional(Type.String({ pattern: '^10\\.\\d{1,3}\\.\\d{1,3}\\.0/24$', description: 'The /24 of 10.0.0.0/8 the namespace machines live in (default: one picked that nothing on this box uses).' })),
  },
  { additionalProperties: false, default: {} },
);

const Pool = Type.Object(
  {
    machine: machineName,
    hosts: Type.Integer({ minimum: 1, description: 'Fake compute hosts this pool process runs.' }),
  },
  { additionalProperties: false },
);

const Cell = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,30}$', description: 'The cell name (cell mappings, process names).' }),
    nats: members("The cell bus: one nats-server per machine; two or more form a cluster with routes (three to survive losing one), and every process of the cell is given every member's URL."),
    database: members('The cell database: a MariaDB server per machine; two or more form a Galera cluster (three to survive losing one), and clients are given every member.'),
    conductors: members('Machines running one cell conductor each (they share the cell\'s work as a queue group).'),
    compute: Type.Array(Pool, { default: [], description: 'Compute pool processes of fake hosts, each on a machine.' }),
  },
  { additionalProperties: false },
);

export const InventorySchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9]{0,11}$', default: 'cellstack', description: 'Names the deployment: its database names and its namespaces start with it.' }),
    network: Network,
    tls: Type.Boolean({
      default: false,
      description: "TLS with certificates from the deployment's own CA (<state>/ca/ca.pem, which clouds.yaml and every cellstack process trust): HTTPS at the load balancer, and every NATS client and route link. Database and Redis links are not TLS yet.",
    }),
    machines: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]{0,19}$' }), Machine, { minProperties: 1, description: 'Every machine of the deployment, by name.' }),
    api: Type.Object(
      {
        machines: members('Machines running an API process (Compute, Identity, Image, Placement).'),
        workers: Type.Integer({ minimum: 1, default: 1, description: 'Worker processes of each API process.' }),
        port: Type.Integer({ minimum: 1, maximum: 65535, default: 8774, description: 'The port each API process listens on, at its machine\'s address.' }),
      },
      { additionalProperties: false },
    ),
    load_balancer: Type.Optional(
      Type.Object(
        {
          machine: machineName,
          port: Type.Integer({ minimum: 1, maximum: 65535, default: 8774, description: 'The port clients reach the API at, on the balancer\'s address.' }),
        },
        { additionalProperties: false, description: 'HAProxy in front of the API processes (health checks on /healthcheck): the address clients, clouds.yaml and placement use. Without it, the first API process is that address.' },
      ),
    ),
    super_conductors: members('Machines running a super-conductor each.'),
    api_database: members('The API database and cell0: a MariaDB server per machine; two or more form a Galera cluster.'),
    redis: Type.Object(
      {
        machines: members('Redis servers of the build queue: the first starts as the master, the others as its replicas (replicas need sentinels).'),
        sentinels: Type.Array(machineName, { default: [], uniqueItems: true, description: 'Machines running a Redis Sentinel each: clients ask them where the master is, and they fail it over to a replica when it dies. Three for a quorum of two.' }),
        down_after_ms: Type.Integer({ minimum: 100, default: 5000, description: 'How long the master must not answer before Sentinels count it down and fail it over.' }),
      },
      { additionalProperties: false },
    ),
    cells: Type.Array(Cell, { minItems: 1, description: 'The child cells.' }),
  },
  { additionalProperties: false },
);

export type Inventory = Static<typeof InventorySchema>;
export type InventoryCell = Static<typeof Cell>;

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
ajv.addFormat('ipv4', /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/);
const validate = ajv.compile<Inventory>(InventorySchema);

/** Checks an inventory (parsed YAML), fills in the defaults and checks every machine it names exists. */
export function toInventory(value: unknown, where = 'inventory'): Inventory {
  const copy: unknown = structuredClone(value);
  if (!validate(copy)) throw new InvalidInputError(`${where} is invalid: ${problems(validate.errors).replace(/(^|; )scenario /g, '$1inventory ')}`);
  const unknown = namedMachines(copy).filter(({ machine }) => !(machine in copy.machines));
  if (unknown.length > 0) {
    throw new InvalidInputError(`${where} is invalid: ${unknown.map((u) => `${u.where} names machine "${u.machine}", which is not under machines`).join('; ')}`);
  }
  const names = copy.cells.map((c) => c.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new InvalidInputError(`${where} is invalid: cell name "${twice[0] ?? ''}" is used twice`);
  if (copy.redis.machines.length > 1 && copy.redis.sentinels.length === 0) {
    throw new InvalidInputError(`${where} is invalid: redis.machines lists replicas but redis.sentinels is empty: without Sentinels no client would find the master after a failover`);
  }
  if (copy.network.kind === 'namespaces') {
    const given = Object.entries(copy.machines).filter(([, m]) => m.address).map(([n]) => n);
    if (given.length > 0) throw new InvalidInputError(`${where} is invalid: machines ${given.join(', ')} have an address, but namespace machines get theirs from the launcher (network.kind hosts is for real machines)`);
  }
  if (copy.network.kind === 'hosts') {
    const missing = Object.entries(copy.machines).filter(([, m]) => !m.address).map(([n]) => n);
    if (missing.length > 0) throw new InvalidInputError(`${where} is invalid: machines ${missing.join(', ')} need an address (network.kind is hosts)`);
  }
  return copy;
}

/** Every place the inventory names a machine, with where it does. */
function namedMachines(inv: Inventory): { where: string; machine: string }[] {
  const at = (where: string, list: string[]) => list.map((machine) => ({ where, machine }));
  return [
    ...at('api.machines', inv.api.machines),
    ...at('super_conductors', inv.super_conductors),
    ...at('load_balancer.machine', inv.load_balancer ? [inv.load_balancer.machine] : []),
    ...at('api_database', inv.api_database),
    ...at('redis.machines', inv.redis.machines),
    ...at('redis.sentinels', inv.redis.sentinels),
    ...inv.cells.flatMap((c, i) => [
      ...at(`cells.${i}.nats`, c.nats),
      ...at(`cells.${i}.database`, c.database),
      ...at(`cells.${i}.conductors`, c.conductors),
      ...at(`cells.${i}.compute`, c.compute.map((p) => p.machine)),
    ]),
  ];
}

/** Reads and checks an inventory file. */
export function readInventory(file: string): Inventory {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new InvalidInputError(`cannot read inventory ${file}: ${(cause as Error).message}`, { cause });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidInputError(`inventory ${file} must be a YAML mapping`);
  return toInventory(parsed, `inventory ${file}`);
}
