import type { Keypair } from '../../keypairs/index.js';
import { atLeast, type Microversion } from '../microversion.js';
import { isoTime } from './links.js';

/** GET /os-keypairs entries: name, public_key, fingerprint; type from 2.2. */
export function keypairBriefView(keypair: Keypair, version: Microversion): Record<string, unknown> {
  const view: Record<string, unknown> = { name: keypair.name, public_key: keypair.public_key, fingerprint: keypair.fingerprint };
  if (atLeast(version, '2.2')) view['type'] = keypair.type;
  return view;
}

/** POST /os-keypairs: the brief view with user_id, and the private key when one was generated. */
export function keypairCreatedView(keypair: Keypair, version: Microversion, privateKey?: string): Record<string, unknown> {
  const view: Record<string, unknown> = { ...keypairBriefView(keypair, version), user_id: keypair.user_id };
  if (privateKey !== undefined) view['private_key'] = privateKey;
  return view;
}

/** GET /os-keypairs/{name}: everything, with Nova's never-set soft-delete fields. */
export function keypairView(keypair: Keypair, version: Microversion): Record<string, unknown> {
  return {
    ...keypairCreatedView(keypair, version),
    created_at: isoTime(keypair.created_at),
    updated_at: isoTime(keypair.updated_at),
    deleted: false,
    deleted_at: null,
    id: keypair.id,
  };
}
