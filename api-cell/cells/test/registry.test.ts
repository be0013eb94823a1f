import test from 'ava';
import { createCell, CellRegistry, mapCell0 } from '../index.js';
import { openApiDatabase, syncApiDatabase } from '../../db/index.js';
import { syncCellDatabase } from '../../../child-cell/db/index.js';
import { UnavailableError } from '../../../ops/runtime/index.js';
import { TestDatabases, TestNats } from '../../../ops/testing/index.js';

const dbs = new TestDatabases();
const nats = new TestNats();
const api = openApiDatabase(dbs.url('api'), { poolMax: 2 });
const registry = new CellRegistry(api, { database: { connectTimeoutMs: 1000 }, scatterTimeoutMs: 2000 });

test.before(async () => {
  await nats.start();
  await syncApiDatabase(dbs.url('api'));
  await mapCell0(api, dbs.url('cell0'));
  for (const name of ['alive', 'gone']) {
    await createCell(api, { name, transportUrl: nats.url, databaseUrl: dbs.url(name) });
  }
  await Promise.all(['cell0', 'alive', 'gone'].map((n) => syncCellDatabase(dbs.url(n))));
  // "gone" points at a port where no database listens.
  await api.models.CellMapping.update({ database_url: 'mysql://root@127.0.0.1:1/gone' }, { where: { name: 'gone' } });
});

test.after.always(async () => {
  await registry.close();
  await api.close();
  await nats.stop();
  await dbs.drop();
});

test('registry - scatterGather answers for every cell and marks the one that is down instead of failing', async (t) => {
  const cells = await registry.list();
  const results = await registry.scatterGather(cells, async ({ db }) => {
    await db.sequelize.authenticate();
    return 'up';
  });
  const byName = Object.fromEntries(results.map((r) => [r.cell.name, r.status]));
  t.deepEqual(byName, { cell0: 'ok', alive: 'ok', gone: 'error' });
  const gone = results.find((r) => r.cell.name === 'gone');
  t.true(gone?.status === 'error' && gone.error instanceof UnavailableError);
});

test('registry - scatterGather marks a cell that answers too slowly as timed out', async (t) => {
  const cells = await registry.list();
  const results = await registry.scatterGather(
    cells.filter((c) => c.name !== 'gone'),
    async ({ cell }) => {
      if (cell.name === 'alive') await new Promise((done) => setTimeout(done, 1000));
      return cell.name;
    },
    200,
  );
  t.deepEqual(results.map((r) => [r.cell.name, r.status]), [['cell0', 'ok'], ['alive', 'timeout']]);
});

test('registry - withCell names the cell whose database does not answer', async (t) => {
  const gone = await registry.find('gone');
  const err = await t.throwsAsync(registry.withCell(gone, ({ db }) => db.sequelize.authenticate()));
  t.true(err instanceof UnavailableError);
  t.regex(err?.message ?? '', /^cell gone database does not answer/);
});
