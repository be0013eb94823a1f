import { createConnection } from 'mariadb';
import { QueryTypes, Sequelize, type Options } from 'sequelize';
import { dbStatements, maskUrl, parseDatabaseUrl, portAnswers, UnavailableError, type DatabaseTarget } from '../runtime/index.js';

export interface DatabaseOptions {
  poolMax?: number;
  connectTimeoutMs?: number;
}

/**
 * Opens a Sequelize handle on a MariaDB database. Connections are made lazily, pooled.
 * Raw SELECTs must pass `type: QueryTypes.SELECT`: Sequelize 6's untyped path deletes the
 * driver's non-configurable `meta` property from mariadb 3 result sets and throws.
 */
export function openDatabase(url: string, options: DatabaseOptions = {}): Sequelize {
  const target = parseDatabaseUrl(url);
  const settings: Options = {
    dialect: 'mariadb',
    host: target.host,
    port: target.port,
    username: target.user,
    password: target.password,
    database: target.database,
    logging: false,
    timezone: '+00:00',
    benchmark: false,
    pool: { max: options.poolMax ?? 5, min: 0, idle: 10_000, acquire: 10_000 },
    dialectOptions: { connectTimeout: options.connectTimeoutMs ?? 3000, bigIntAsNumber: true, decimalAsNumber: true },
    define: { underscored: true, freezeTableName: true },
  };
  const sequelize = new Sequelize(settings);
  if (target.members.length > 1) {
    // A cluster: each new connection goes to the first member that answers, so every client
    // writes through the same node (no certification conflicts between nodes) until it dies.
    sequelize.addHook('beforeConnect', async (config) => {
      const member = await firstAnswering(target.members);
      config.host = member.host;
      config.port = String(member.port);
    });
  }
  const counted = dbStatements.labels({ database: target.database });
  sequelize.addHook('beforeQuery', () => counted.inc());
  return sequelize;
}

/** Checks that the database answers, turning any failure into an UnavailableError naming it. */
export async function pingDatabase(db: Sequelize, url: string): Promise<void> {
  try {
    await db.query('SELECT 1', { type: QueryTypes.SELECT });
  } catch (cause) {
    throw new UnavailableError(`database ${maskUrl(url)} does not answer: ${describeDbError(cause)}`, { cause });
  }
}

/** Creates the database the URL names when it does not exist yet. */
export async function ensureDatabase(url: string, options: DatabaseOptions = {}): Promise<boolean> {
  const target = parseDatabaseUrl(url);
  return withServer(target, url, options, async (conn) => {
    const found = (await conn.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [
      target.database,
    ])) as unknown[];
    if (found.length > 0) return false;
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    return true;
  });
}

/** Checks that the server behind the URL answers with its credentials; tells whether the database exists. */
export async function probeDatabase(url: string, options: DatabaseOptions = {}): Promise<{ exists: boolean }> {
  const target = parseDatabaseUrl(url);
  return withServer(target, url, options, async (conn) => {
    const found = (await conn.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [
      target.database,
    ])) as unknown[];
    return { exists: found.length > 0 };
  });
}

export async function dropDatabase(url: string, options: DatabaseOptions = {}): Promise<void> {
  const target = parseDatabaseUrl(url);
  await withServer(target, url, options, (conn) => conn.query(`DROP DATABASE IF EXISTS \`${target.database}\``));
}

/**
 * Runs `fn` holding MariaDB's named lock `name` (GET_LOCK) on the database's server, so the same
 * work started elsewhere waits for this one. The lock lives on a connection of its own, opened
 * for the purpose and ended after, which also frees the lock if this process dies.
 */
export async function withServerLock<T>(url: string, name: string, waitSeconds: number, fn: () => Promise<T>, options: DatabaseOptions = {}): Promise<T> {
  return withServer(parseDatabaseUrl(url), url, options, async (conn) => {
    const rows = (await conn.query('SELECT GET_LOCK(?, ?) AS got', [name.slice(0, 64), waitSeconds])) as { got: number | null }[];
    if (Number(rows[0]?.got) !== 1) throw new UnavailableError(`could not take the lock ${name} within ${waitSeconds} s: another run holds it`);
    try {
      return await fn();
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [name.slice(0, 64)]);
    }
  });
}

type ServerConnection = Awaited<ReturnType<typeof createConnection>>;

async function withServer<T>(
  target: DatabaseTarget,
  url: string,
  options: DatabaseOptions,
  fn: (conn: ServerConnection) => Promise<T>,
): Promise<T> {
  let conn: ServerConnection;
  try {
    const member = target.members.length > 1 ? await firstAnswering(target.members) : target;
    conn = await createConnection({
      host: member.host,
      port: member.port,
      user: target.user,
      password: target.password,
      connectTimeout: options.connectTimeoutMs ?? 3000,
    });
  } catch (cause) {
    throw new UnavailableError(`database server of ${maskUrl(url)} does not answer: ${describeDbError(cause)}`, {
      cause,
    });
  }
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** The first of a cluster's members that accepts a TCP connection now (the first, when none does). */
export async function firstAnswering(members: { host: string; port: number }[], timeoutMs = 500): Promise<{ host: string; port: number }> {
  for (const member of members) if (await portAnswers(member.host, member.port, timeoutMs)) return member;
  return members[0] ?? { host: '127.0.0.1', port: 3306 };
}


/** One line on why a database call failed, without the driver's stack or SQL dump. */
export function describeDbError(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && 'original' in current && current.original instanceof Error) {
    current = current.original;
  }
  if (!(current instanceof Error)) return String(current);
  const text = current.message.split('\n')[0] ?? current.message;
  return text.replace(/^\([^)]*\)\s*/, '');
}
