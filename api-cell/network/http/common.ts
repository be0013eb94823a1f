import type { RouterContext } from '@koa/router';
import type { TSchema } from '@sinclair/typebox';
import type { RequestContext } from '../../context.js';
import type { ApiState } from '../../http/state.js';
import { validate } from '../../http/validation.js';
import type { NetworkDatabase } from '../db/index.js';
import { forbidden } from '../errors.js';
import type { ListQuery } from '../listing.js';

export type Ctx = RouterContext<ApiState>;

/** What the network routes reach, built once at start-up. */
export interface NetworkDeps {
  db: NetworkDatabase;
  publicUrl: string;
}

export const callerOf = (ctx: Ctx): RequestContext => ctx.state.context;
export const queryOf = (ctx: Ctx): ListQuery => ctx.query as ListQuery;
export const paramOf = (ctx: Ctx, name: string): string => ctx.params[name] ?? '';

/** The request body, checked against its schema, or a 400. */
export function bodyOf<T>(ctx: Ctx, schema: TSchema): T {
  return validate<T>(schema, ctx.state.body ?? {});
}

/** Neutron's words for a policy refusal (403 PolicyNotAuthorized). */
export const notAuthorized = (rule: string) => forbidden('PolicyNotAuthorized', `(rule:${rule}) is disallowed by policy`);

/** Which project a new resource belongs to: the caller's, or another only for an admin. */
export function ownerFor(caller: RequestContext, body: { tenant_id?: string | undefined; project_id?: string | undefined }, rule: string): string {
  const asked = body.project_id ?? body.tenant_id;
  if (body.project_id && body.tenant_id && body.project_id !== body.tenant_id) throw forbidden('HTTPBadRequest', 'project_id and tenant_id do not match');
  if (asked && asked !== caller.projectId && !caller.isAdmin) throw notAuthorized(`${rule}:tenant_id`);
  return asked ?? caller.projectId;
}

/** Readers may look; changes need a member or an admin (Neutron's default roles). */
export function requireWriter(caller: RequestContext, rule: string): void {
  if (!caller.isAdmin && !caller.roles.includes('member')) throw notAuthorized(rule);
}

const iso = (d: Date | null): string | null => (d ? `${new Date(d).toISOString().slice(0, 19)}Z` : null);

/** The attributes every Neutron resource shows: project (under both names), times, revision. */
export function standardAttributes(row: { project_id: string; created_at: Date; updated_at: Date; revision_number: number }) {
  return { tenant_id: row.project_id, project_id: row.project_id, created_at: iso(row.created_at), updated_at: iso(row.updated_at), revision_number: row.revision_number, tags: [] as string[] };
}

export const bool = (v: number | boolean): boolean => Boolean(v);
export const collectionUrl = (deps: NetworkDeps, ctx: Ctx, collection: string): string => `${deps.publicUrl || ctx.origin}/network/v2.0/${collection}`;
