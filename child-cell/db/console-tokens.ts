import { execute, select } from '../../ops/runtime-db/index.js';
import type { CellDatabase } from './database.js';

export interface ConsoleToken {
  instance_uuid: string;
  console_type: string;
  host: string;
  port: number;
  internal_access_path: string | null;
  /** Unix milliseconds after which the token no longer works. */
  expires: number;
}

/** Keeps a console token by its hash; the instance's tokens that have expired go at the same time. */
export async function saveConsoleToken(db: CellDatabase, tokenHash: string, token: ConsoleToken): Promise<void> {
  await execute(db, 'DELETE FROM console_auth_tokens WHERE instance_uuid = ? AND expires <= ?', [token.instance_uuid, Date.now()]);
  await execute(
    db,
    'INSERT INTO console_auth_tokens (token_hash, console_type, host, port, internal_access_path, instance_uuid, expires) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [tokenHash, token.console_type, token.host, token.port, token.internal_access_path, token.instance_uuid, token.expires],
  );
}

/** The token with this hash, if it has not expired. */
export async function findConsoleToken(db: CellDatabase, tokenHash: string): Promise<ConsoleToken | undefined> {
  const rows = await select<ConsoleToken>(
    db,
    'SELECT instance_uuid, console_type, host, port, internal_access_path, expires FROM console_auth_tokens WHERE token_hash = ? AND expires > ?',
    [tokenHash, Date.now()],
  );
  return rows[0];
}
