import type { QueryInterface, Sequelize } from 'sequelize';
import { ensureDatabase, openDatabase, withServerLock, type DatabaseOptions } from './db.js';
import { parseDatabaseUrl } from '../runtime/index.js';
import type { Umzug } from 'umzug';

export interface Migration {
  name: string;
  up(queryInterface: QueryInterface): Promise<void>;
  down(queryInterface: QueryInterface): Promise<void>;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/**
 * One migration history per database, kept in its `schema_migrations` table. umzug is loaded
 * on first use: it pulls in a CLI framework that would slow every process's start-up.
 */
async function migrator(db: Sequelize, migrations: Migration[]): Promise<Umzug<QueryInterface>> {
  const { SequelizeStorage, Umzug } = await import('umzug');
  return new Umzug({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: ({ context }) => m.up(context),
      down: ({ context }) => m.down(context),
    })),
    context: db.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: db, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/** Applies what is pending and returns the names applied, oldest first. */
export async function applyMigrations(db: Sequelize, migrations: Migration[]): Promise<string[]> {
  const done = await (await migrator(db, migrations)).up();
  return done.map((m) => m.name);
}

export async function migrationStatus(db: Sequelize, migrations: Migration[]): Promise<MigrationStatus> {
  const umzug = await migrator(db, migrations);
  const [applied, pending] = await Promise.all([umzug.executed(), umzug.pending()]);
  return { applied: applied.map((m) => m.name), pending: pending.map((m) => m.name) };
}

export interface SyncResult {
  created: boolean;
  applied: string[];
}

/**
 * Creates the database the URL names if it is missing, then applies what is pending. One sync of
 * a database at a time: a second one started meanwhile waits, then finds nothing left to do.
 */
export async function syncDatabase(url: string, migrations: Migration[], options: DatabaseOptions = {}): Promise<SyncResult> {
  return withServerLock(url, `cellstack-sync:${parseDatabaseUrl(url).database}`, syncLockWaitSeconds, async () => {
    const created = await ensureDatabase(url, options);
    const db = openDatabase(url, options);
    try {
      return { created, applied: await applyMigrations(db, migrations) };
    } finally {
      await db.close();
    }
  }, options);
}

/** How long a sync waits for another sync of the same database to finish. */
const syncLockWaitSeconds = 600;
