import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { InvalidInputError } from '../../runtime/index.js';
import { repoRoot, runNode } from '../../testing/index.js';
import { readInventory, toInventory } from '../index.js';

const small = () => ({
  machines: { a: {}, b: {} },
  api: { machines: ['a'] },
  super_conductors: ['a'],
  api_database: ['a'],
  redis: { machines: ['a'] },
  cells: [{ name: 'cell1', nats: ['a', 'b'], database: ['b'], conductors: ['b'], compute: [{ machine: 'b', hosts: 2 }] }],
});

test('inventory - the example file is valid and defaults fill what it leaves out', (t) => {
  const inv = readInventory(resolve(repoRoot, 'ops/inventory/examples/lab.yaml'));
  t.is(inv.cells.length, 2);
  t.deepEqual(inv.cells[0]?.nats, ['cell1a', 'cell1b', 'cell1c']);
  t.is(inv.load_balancer?.machine, 'lb');
  const filled = toInventory(small());
  t.is(filled.name, 'cellstack');
  t.is(filled.network.kind, 'namespaces');
  t.is(filled.api.port, 8774);
  t.is(filled.api.workers, 1);
});

test('inventory - an unknown key, a bad value or a machine not listed is refused, naming where', (t) => {
  const bad = (value: unknown) => t.throws(() => toInventory(value), { instanceOf: InvalidInputError });
  t.regex(bad({ ...small(), extra: 1 }).message, /inventory must NOT have additional properties "extra"/);
  t.regex(bad({ ...small(), api: { machines: ['a'], port: 0 } }).message, /api\.port must be >= 1/);
  const unknownMachine = small();
  unknownMachine.cells[0]!.conductors = ['c'];
  t.regex(bad(unknownMachine).message, /cells\.0\.conductors names machine "c", which is not under machines/);
  t.regex(bad({ ...small(), redis: { machines: ['a', 'b'] } }).message, /redis\.sentinels is empty/);
});

test('inventory - real machines (network.kind hosts) must each have an address', (t) => {
  const err = t.throws(() => toInventory({ ...small(), network: { kind: 'hosts' }, machines: { a: { address: '192.0.2.10' }, b: {} } }));
  t.regex(err?.message ?? '', /machines b need an address/);
  t.notThrows(() => toInventory({ ...small(), network: { kind: 'hosts' }, machines: { a: { address: '192.0.2.10' }, b: { address: '192.0.2.11' } } }));
  t.regex(t.throws(() => toInventory({ ...small(), machines: { a: { address: '300.1.1.1' }, b: {} } }))?.message ?? '', /machines\.a\.address must match format "ipv4"/);
  t.regex(t.throws(() => toInventory({ ...small(), machines: { a: { address: '192.0.2.10' }, b: {} } }))?.message ?? '', /namespace machines get theirs from the launcher/);
});

test('inventory - deploy plan for real machines lists each machine\'s commands, in order, and writes their files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cellstack-plan-'));
  try {
    const file = join(dir, 'inventory.yaml');
    const machines = { a: { address: '192.0.2.10' }, b: { address: '192.0.2.11' }, c: { address: '192.0.2.12' } };
    const cells = [{ name: 'cell1', nats: ['a', 'b', 'c'], database: ['a', 'b', 'c'], conductors: ['b'], compute: [{ machine: 'c', hosts: 2 }] }];
    writeFileSync(file, stringify({ ...small(), name: 'prod', network: { kind: 'hosts' }, machines, cells }));
    const { stdout, code, stderr } = await runNode('ops/launcher/main.js', ['plan', '--inventory', file, '--state-dir', join(dir, 'state')]);
    t.is(code, 0, stderr);
    t.regex(stdout, /mariadbd --defaults-file=\S+\/cell1-db-a\.cnf --wsrep-new-cluster/, 'the first Galera member starts the cluster');
    t.regex(stdout, /mariadbd --defaults-file=\S+\/cell1-db-b\.cnf >>/, 'the others join it');
    t.regex(stdout, /nats-server -c \S+\/nats\/cell1-nats-b\.conf/);
    t.regex(readFileSync(join(dir, 'state/nats/cell1-nats-b.conf'), 'utf8'), /listen: "192\.0\.2\.11:6222"\n {2}routes: \["nats:\/\/192\.0\.2\.10:6222", "nats:\/\/192\.0\.2\.12:6222"\]/);
    t.regex(stdout, /ops\/bin\/deploy bootstrap --inventory/);
    t.regex(stdout, /need the cells' uuids/, 'cell processes wait for the bootstrap');
    t.regex(stdout, /CELLSTACK_API_LISTEN=192\.0\.2\.10:8774 .*\/dist\/api-cell\/main\.js/);
    const cnf = readFileSync(join(dir, 'state/mariadb/cell1-db-b.cnf'), 'utf8');
    t.regex(cnf, /wsrep-cluster-address=gcomm:\/\/192\.0\.2\.10:4567,192\.0\.2\.11:4567,192\.0\.2\.12:4567/);
    t.is(statSync(join(dir, 'state/mariadb/cell1-db-b-init.sql')).mode & 0o777, 0o600, 'the file with the database password is owner-only');
    t.false(existsSync(join(dir, 'state/mariadb/cell1-db-b/mysql')), 'data directories are made on their own machines');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
