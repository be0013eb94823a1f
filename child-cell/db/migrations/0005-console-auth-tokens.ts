import type { QueryInterface } from 'sequelize';
import { column, timestamps } from '../../../ops/runtime-db/index.js';

/**
 * Remote console tokens (Nova's console_auth_tokens): only the token's SHA-256 is kept, with
 * what the console connects to and when the token stops working.
 */
export async function up(qi: QueryInterface): Promise<void> {
  await qi.createTable('console_auth_tokens', {
    id: column.id(),
    token_hash: column.string(false, 64),
    console_type: column.string(false),
    host: column.string(false),
    port: column.int(),
    internal_access_path: column.string(),
    instance_uuid: column.uuid(),
    expires: column.bigint(),
    ...timestamps(),
  });
  await qi.addIndex('console_auth_tokens', ['token_hash'], { unique: true, name: 'console_auth_tokens_token_hash' });
  await qi.addIndex('console_auth_tokens', ['instance_uuid'], { name: 'console_auth_tokens_instance' });
  await qi.addIndex('console_auth_tokens', ['expires'], { name: 'console_auth_tokens_expires' });
}

export async function down(qi: QueryInterface): Promise<void> {
  await qi.dropTable('console_auth_tokens');
}
