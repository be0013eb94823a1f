import { ConflictError, InvalidInputError, NotFoundError, QuotaExceededError, type Config } from '../../ops/runtime/index.js';
import { execute, select } from '../../ops/runtime-db/index.js';
import type { ApiDatabase } from '../db/index.js';
import { quotaLimits } from '../quota/index.js';
import { generateSshKeyPair, sshFingerprint } from './ssh.js';
import { generateX509KeyPair, x509Fingerprint } from './x509.js';

export type KeypairType = 'ssh' | 'x509';

export interface Keypair {
  id: number;
  name: string;
  user_id: string;
  fingerprint: string;
  public_key: string;
  type: KeypairType;
  created_at: Date;
  updated_at: Date | null;
}

const columns = 'id, name, user_id, fingerprint, public_key, type, created_at, updated_at';

/** A user's key pairs by name, paged after the `marker` name (Nova sorts them by name). */
export async function listKeypairs(api: ApiDatabase, userId: string, page: { limit?: number; marker?: string } = {}): Promise<Keypair[]> {
  const where = ['user_id = ?'];
  const params: unknown[] = [userId];
  if (page.marker !== undefined) {
    const found = await select(api, 'SELECT 1 FROM key_pairs WHERE user_id = ? AND name = ?', [userId, page.marker]);
    if (found.length === 0) throw new InvalidInputError(`Marker ${page.marker} could not be found.`);
    where.push('name > ?');
    params.push(page.marker);
  }
  const limit = page.limit === undefined ? '' : ' LIMIT ?';
  if (page.limit !== undefined) params.push(page.limit);
  return select<Keypair>(api, `SELECT ${columns} FROM key_pairs WHERE ${where.join(' AND ')} ORDER BY name${limit}`, params);
}

export async function findKeypair(api: ApiDatabase, userId: string, name: string): Promise<Keypair> {
  const [row] = await select<Keypair>(api, `SELECT ${columns} FROM key_pairs WHERE user_id = ? AND name = ?`, [userId, name]);
  if (!row) throw new NotFoundError(`Keypair ${name} not found for user ${userId}`);
  return row;
}

export async function deleteKeypair(api: ApiDatabase, userId: string, name: string): Promise<void> {
  const deleted = await execute(api, 'DELETE FROM key_pairs WHERE user_id = ? AND name = ?', [userId, name]);
  if (deleted === 0) throw new NotFoundError(`Keypair ${name} not found for user ${userId}`);
}

export interface NewKeypair {
  userId: string;
  /** The caller's project, whose quota (or its per-user override) limits the user's key pairs. */
  projectId: string;
  name: string;
  type: KeypairType;
  /** An imported public key; without one a key pair is generated. */
  publicKey?: string;
}

/**
 * Imports a public key or generates a key pair (the private key is returned once and never
 * kept). The user's key pairs count against `key_pairs`; the count is checked again after the
 * insert, as Nova's recheck does, so two racing creates cannot both pass the limit.
 */
export async function createKeypair(api: ApiDatabase, quota: Config['quota'], spec: NewKeypair): Promise<{ keypair: Keypair; privateKey?: string }> {
  const limit = await keypairLimit(api, quota, spec.projectId, spec.userId);
  const overQuota = async (extra: number): Promise<boolean> => {
    if (limit < 0) return false;
    const [row] = await select<{ n: number }>(api, 'SELECT COUNT(*) AS n FROM key_pairs WHERE user_id = ?', [spec.userId]);
    return Number(row?.n ?? 0) + extra > limit;
  };
  const tooMany = () => new QuotaExceededError('Quota exceeded, too many key pairs.');
  if (await overQuota(1)) throw tooMany();

  let material: { publicKey: string; fingerprint: string; privateKey?: string };
  if (spec.publicKey !== undefined) {
    const fingerprint = spec.type === 'x509' ? x509Fingerprint(spec.publicKey) : sshFingerprint(spec.publicKey);
    material = { publicKey: spec.publicKey, fingerprint };
  } else {
    material = spec.type === 'x509' ? await generateX509KeyPair(spec.userId) : await generateSshKeyPair();
  }
  try {
    await execute(api, 'INSERT INTO key_pairs (name, user_id, fingerprint, public_key, type) VALUES (?, ?, ?, ?, ?)', [
      spec.name, spec.userId, material.fingerprint, material.publicKey, spec.type,
    ]);
  } catch (err) {
    const errno = (err as { parent?: { errno?: number } }).parent?.errno;
    if (errno === 1062) throw new ConflictError(`Key pair '${spec.name}' already exists.`, { cause: err });
    throw err;
  }
  if (await overQuota(0)) {
    await execute(api, 'DELETE FROM key_pairs WHERE user_id = ? AND name = ?', [spec.userId, spec.name]);
    throw tooMany();
  }
  const keypair = await findKeypair(api, spec.userId, spec.name);
  return material.privateKey === undefined ? { keypair } : { keypair, privateKey: material.privateKey };
}

/** The user's limit: a per-user quota in the project, else the project's (or default) key_pairs limit. */
async function keypairLimit(api: ApiDatabase, quota: Config['quota'], projectId: string, userId: string): Promise<number> {
  const [own] = await select<{ hard_limit: number | null }>(
    api,
    "SELECT hard_limit FROM project_user_quotas WHERE project_id = ? AND user_id = ? AND resource = 'key_pairs'",
    [projectId, userId],
  );
  if (own && own.hard_limit !== null) return Number(own.hard_limit);
  return (await quotaLimits(api, projectId, quota))['key_pairs'] ?? -1;
}
