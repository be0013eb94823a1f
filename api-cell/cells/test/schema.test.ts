import test from 'ava';
import { QueryTypes, type Sequelize } from 'sequelize';
import { apiMigrations, syncApiDatabase } from '../../db/index.js';
import { cellMigrations, syncCellDatabase } from '../../../child-cell/db/index.js';
import { applyMigrations, ensureDatabase, openDatabase, type Migration } from '../../../ops/runtime-db/index.js';
import { TestDatabases } from '../../../ops/testing/index.js';

const dbs = new TestDatabases();
test.after.always(() => dbs.drop());

async function tables(db: Sequelize): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name',
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.name);
}

async function indexedColumns(db: Sequelize, table: string): Promise<string[]> {
  const rows = await db.query<{ name: string; cols: string }>(
    `SELECT index_name AS name, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS cols
       FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? GROUP BY index_name`,
    { replacements: [table], type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.cols);
}

async function roundTrip(t: import('ava').ExecutionContext, url: string, migrations: Migration[]): Promise<string[]> {
  const db = openDatabase(url, { poolMax: 1 });
  try {
    const before = await tables(db);
    const qi = db.getQueryInterface();
    for (const m of [...migrations].reverse()) await m.down(qi);
    await db.query('DELETE FROM schema_migrations', { type: QueryTypes.DELETE });
    t.deepEqual(await tables(db), ['schema_migrations'], 'down migrations remove every table');
    t.deepEqual(await applyMigrations(db, migrations), migrations.map((m) => m.name));
    t.deepEqual(await tables(db), before, 'up again restores the same tables');
    return before;
  } finally {
    await db.close();
  }
}

test('schema - API migrations apply from empty, a second sync applies nothing, and they reverse', async (t) => {
  const url = dbs.url('api');
  const first = await syncApiDatabase(url);
  t.true(first.created);
  t.deepEqual(first.applied, apiMigrations.map((m) => m.name));
  const second = await syncApiDatabase(url);
  t.deepEqual(second, { created: false, applied: [] });
  await roundTrip(t, url, apiMigrations);
});

test('schema - cell migrations apply from empty, a second sync applies nothing, and they reverse', async (t) => {
  const url = dbs.url('cell');
  t.deepEqual((await syncCellDatabase(url)).applied, cellMigrations.map((m) => m.name));
  t.deepEqual((await syncCellDatabase(url)).applied, []);
  await roundTrip(t, url, cellMigrations);
});

test('schema - the API database holds mappings and placement only; cell databases hold instances and hosts only', async (t) => {
  await Promise.all([syncApiDatabase(dbs.url('rules_api')), syncCellDatabase(dbs.url('rules_cell'))]);
  const api = openDatabase(dbs.url('rules_api'), { poolMax: 1 });
  const cell = openDatabase(dbs.url('rules_cell'), { poolMax: 1 });
  try {
    const apiTables = await tables(api);
    const cellTables = await tables(cell);
    const shared = apiTables.filter((name) => cellTables.includes(name));
    t.deepEqual(shared, ['schema_migrations'], 'no table lives in both kinds of database');
    for (const name of ['cell_mappings', 'host_mappings', 'instance_mappings', 'build_requests', 'request_specs', 'allocations']) {
      t.true(apiTables.includes(name), `API database has ${name}`);
    }
    for (const name of ['instances', 'instance_faults', 'instance_actions', 'instance_actions_events', 'services', 'compute_nodes', 'migrations', 'tags']) {
      t.true(cellTables.includes(name), `cell database has ${name}`);
    }
  } finally {
    await Promise.all([api.close(), cell.close()]);
  }
});

test('schema - the queries that run at 100,000 instances a cell have indexes', async (t) => {
  await syncCellDatabase(dbs.url('idx_cell'));
  await syncApiDatabase(dbs.url('idx_api'));
  const cell = openDatabase(dbs.url('idx_cell'), { poolMax: 1 });
  const api = openDatabase(dbs.url('idx_api'), { poolMax: 1 });
  try {
    const instances = await indexedColumns(cell, 'instances');
    t.true(instances.includes('uuid'), 'instance by uuid');
    t.true(instances.includes('project_id,deleted,created_at,uuid'), "a project's servers, newest first");
    t.true(instances.includes('host,node,deleted'), "a host's instances");
    t.true((await indexedColumns(cell, 'services')).includes('host,binary,deleted'));
    t.true((await indexedColumns(api, 'instance_mappings')).includes('instance_uuid'));
    t.true((await indexedColumns(api, 'allocations')).includes('resource_provider_id,resource_class'));
  } finally {
    await Promise.all([api.close(), cell.close()]);
  }
});

test('schema - two syncs of one database at once: one applies every migration, the other finds nothing to do', async (t) => {
  const url = dbs.url('twice');
  const results = await Promise.all([syncCellDatabase(url), syncCellDatabase(url)]);
  const applied = results.map((r) => r.applied).sort((a, b) => b.length - a.length);
  t.deepEqual(applied, [cellMigrations.map((m) => m.name), []]);
  t.is(results.filter((r) => r.created).length, 1, 'the database is created once');
});

test('schema - compute services registered under the old binary name are renamed nova-compute', async (t) => {
  const db = openDatabase(dbs.url('renamed'), { poolMax: 1 });
  try {
    await ensureDatabase(dbs.url('renamed'));
    const before = cellMigrations.findIndex((m) => m.name === '0004-nova-compute-binary');
    await applyMigrations(db, cellMigrations.slice(0, before));
    await db.query("INSERT INTO services (uuid, host, `binary`, topic) VALUES (UUID(), 'old-host', 'cellstack-compute', 'compute')");
    t.deepEqual(await applyMigrations(db, cellMigrations), cellMigrations.slice(before).map((m) => m.name));
    const rows = await db.query<{ binary: string }>('SELECT `binary` FROM services', { type: QueryTypes.SELECT });
    t.deepEqual(rows.map((r) => r.binary), ['nova-compute']);
  } finally {
    await db.close();
  }
});

test('schema - role assignments made before 0005-identity-admin are kept as user-project assignments', async (t) => {
  const db = openDatabase(dbs.url('grants'), { poolMax: 1 });
  try {
    await ensureDatabase(dbs.url('grants'));
    const before = apiMigrations.findIndex((m) => m.name === '0005-identity-admin');
    await applyMigrations(db, apiMigrations.slice(0, before));
    await db.query("INSERT INTO role_assignments (user_id, project_id, role_id) VALUES ('u1', 'p1', 'r1')");
    t.deepEqual(await applyMigrations(db, apiMigrations), apiMigrations.slice(before).map((m) => m.name));
    const rows = await db.query('SELECT type, actor_id, target_id, role_id FROM assignments', { type: QueryTypes.SELECT });
    t.deepEqual(rows, [{ type: 'UserProject', actor_id: 'u1', target_id: 'p1', role_id: 'r1' }]);
  } finally {
    await db.close();
  }
});
