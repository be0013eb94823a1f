import test from 'ava';
import type { Sequelize } from 'sequelize';
import { ensureDatabase, execute, openDatabase, placeholders, select } from '../index.js';
import { TestDatabases, waitFor } from '../../testing/index.js';

const dbs = new TestDatabases();
let db: Sequelize;

test.before(async () => {
  const url = dbs.url('sql');
  await ensureDatabase(url);
  db = openDatabase(url, { poolMax: 4 });
  await db.query('CREATE TABLE counters (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB');
  const ids = Array.from({ length: 101 }, (_, i) => i + 1);
  await execute({ sequelize: db }, `INSERT INTO counters (id, v) VALUES ${placeholders(ids.length, 2)}`, ids.flatMap((id) => [id, 0]));
});
test.after.always(async () => {
  await db?.close();
  await dbs.drop();
});

test('execute - a statement of its own that loses a deadlock runs again instead of failing', async (t) => {
  // A transaction holds rows 2..101 and then wants row 1, which the statement below has already
  // locked on its way to row 2: a deadlock, and MariaDB rolls back the smaller side, the statement.
  const transaction = await db.transaction();
  await execute({ sequelize: db, transaction }, 'UPDATE counters SET v = v + 1 WHERE id >= 2');
  const statement = execute({ sequelize: db }, 'UPDATE counters SET v = v + 10 ORDER BY id');
  // The statement has locked row 1 once it waits for row 2, which the transaction holds.
  await waitFor(async () => {
    const waiting = await select<{ n: number }>(
      { sequelize: db },
      `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
        WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE() AND t.trx_query LIKE 'UPDATE counters SET v = v + 10%'`,
    );
    return Number(waiting[0]?.n) === 1;
  }, 10_000, 'the statement to wait for the lock on row 2');
  await execute({ sequelize: db, transaction }, 'UPDATE counters SET v = v + 1 WHERE id = 1');
  await transaction.commit();
  t.is(await statement, 101, 'the statement changed every row once it ran again');
  const rows = await select<{ id: number; v: number }>({ sequelize: db }, 'SELECT id, v FROM counters WHERE id IN (1, 2) ORDER BY id');
  t.deepEqual(
    rows.map((r) => r.v),
    [11, 11],
    'both the transaction and the statement took effect',
  );
});
