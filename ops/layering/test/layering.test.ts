import test from 'ava';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cellstackRules, cellTables, checkLayers, readImportGraph, strayCellStatements, type Violation } from '../index.js';

const folders = ['api-cell', 'child-cell', 'super-conductor', 'ops'];

const repository = fileURLToPath(new URL('../../../../', import.meta.url));

/** Writes a small source tree (path -> text) in a fresh folder and runs `fn` on it. */
function inTree<T>(files: Record<string, string>, fn: (root: string) => T): T {
  const root = mkdtempSync(join(tmpdir(), 'layering-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Checks a small source tree with cellstack's import rules. */
function check(files: Record<string, string>): Violation[] {
  return inTree(files, (root) => checkLayers(readImportGraph(root, folders), cellstackRules));
}

test('layering - the repository keeps its import rules', (t) => {
  t.deepEqual(checkLayers(readImportGraph(repository, folders), cellstackRules), []);
});

test('layering - no SQL on a cell table outside child-cell/db, and the list of cell tables is whole', (t) => {
  t.deepEqual(strayCellStatements(repository, readImportGraph(repository, folders)), []);
  const migrations = join(repository, 'child-cell/db/migrations');
  const created = readdirSync(migrations).filter((f) => f.endsWith('.ts')).flatMap((f) =>
    [...readFileSync(join(migrations, f), 'utf8').matchAll(/createTable\('([a-z_]+)'/g)].map((m) => m[1] ?? ''));
  t.true(created.length > 5);
  for (const table of created) t.true(cellTables.includes(table), `${table} is a cell table`);
});

test('layering - an API statement on a cell table fails, the same in child-cell/db or a test is fine', (t) => {
  const stray = inTree({
    'api-cell/compute/update.ts': "await execute(db, `UPDATE instances SET display_name = ? WHERE uuid = ?`, [name, uuid]);\nawait select(api, 'SELECT id FROM instance_mappings');\n",
    'super-conductor/move/offload.ts': "const sql = 'SELECT i.uuid FROM instances i\\n JOIN instance_system_metadata m ON m.instance_uuid = i.uuid';\n",
    'child-cell/db/instances.ts': "await execute(db, 'UPDATE instances SET host = ?', [host]);\n",
    'api-cell/http/test/servers.test.ts': "await execute(db, 'DELETE FROM tags');\n",
  }, (root) => strayCellStatements(root, readImportGraph(root, folders)));
  t.deepEqual(stray, [
    { file: 'api-cell/compute/update.ts', line: 1, table: 'instances' },
    { file: 'super-conductor/move/offload.ts', line: 1, table: 'instances' },
    { file: 'super-conductor/move/offload.ts', line: 1, table: 'instance_system_metadata' },
  ]);
});

test('layering - a host reaching the database through the runtime fails, with the chain', (t) => {
  const violations = check({
    'child-cell/compute/host.ts': "import { createLogger } from '../../ops/runtime/index.js';\n",
    'ops/runtime/index.ts': "export { createLogger } from './log.js';\nexport {\n  select,\n} from '../runtime-db/index.js';\n",
    'ops/runtime/log.ts': 'export const createLogger = 1;\n',
    'ops/runtime-db/index.ts': "import type { Sequelize } from 'sequelize';\nexport const select = 1;\n",
  });
  const host = violations.find((v) => v.rule === 'hosts-reach-no-database');
  t.deepEqual(host?.chain, ['child-cell/compute/host.ts', 'ops/runtime/index.ts', 'ops/runtime-db/index.ts']);
  t.true(violations.some((v) => v.rule === 'runtime-reaches-no-database' && v.chain[0] === 'ops/runtime/index.ts'));
});

test('layering - a virt driver importing a cell database module directly fails', (t) => {
  const violations = check({
    'child-cell/virt/fake-driver.ts': "import { instances } from '../db/index.js';\n",
    'child-cell/db/index.ts': 'export const instances = 1;\n',
  });
  t.deepEqual(violations.map((v) => [v.rule, v.chain]), [['hosts-reach-no-database', ['child-cell/virt/fake-driver.ts', 'child-cell/db/index.ts']]]);
});

test('layering - a process importing an operator tool fails, its test files may', (t) => {
  const violations = check({
    'api-cell/service.ts': "import { plan } from '../ops/launcher/index.js';\n",
    'api-cell/test/api.test.ts': "import { TestDatabases } from '../../ops/testing/index.js';\n",
    'super-conductor/main.ts': "const m = await import('../ops/cellctl/index.js');\n",
    'ops/launcher/index.ts': "import { startApi } from '../../api-cell/service.js';\nexport const plan = startApi;\n",
    'ops/cellctl/index.ts': 'export {};\n',
    'ops/testing/index.ts': 'export const TestDatabases = 1;\n',
  });
  t.deepEqual(violations.map((v) => [v.rule, v.chain]), [
    ['processes-below-tools', ['api-cell/service.ts', 'ops/launcher/index.ts']],
    ['processes-below-tools', ['super-conductor/main.ts', 'ops/cellctl/index.ts']],
  ]);
});

test('layering - the runtime importing a process fails', (t) => {
  const violations = check({
    'ops/runtime/rpc.ts': "import { CellRegistry } from '../../api-cell/cells/index.js';\n",
    'api-cell/cells/index.ts': 'export const CellRegistry = 1;\n',
  });
  t.deepEqual(violations.map((v) => [v.rule, v.chain]), [['runtime-below-processes', ['ops/runtime/rpc.ts', 'api-cell/cells/index.ts']]]);
});

test('layering - the API loading the queue worker fails, the producer is its to use', (t) => {
  const violations = check({
    'api-cell/service.ts': "import { BuildQueue } from '../super-conductor/queue/index.js';\n",
    'api-cell/compute/create.ts': "import type { QueueWorker } from '../../super-conductor/queue/worker/index.js';\n",
    'super-conductor/queue/index.ts': "export { BuildQueue } from './client.js';\n",
    'super-conductor/queue/client.ts': 'export class BuildQueue {}\n',
    'super-conductor/queue/worker/index.ts': "import { BuildQueue } from '../index.js';\nexport type QueueWorker = BuildQueue;\n",
  });
  t.deepEqual(violations.map((v) => [v.rule, v.chain]), [['api-only-produces-jobs', ['api-cell/compute/create.ts', 'super-conductor/queue/worker/index.ts']]]);
});
