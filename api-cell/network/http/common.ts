import type { RouterContext } from '@koa/router';
import type { TSchema } from '@sinclair/typebox';
import type { RequestContext } from '../../context.js';
import type { ApiState } from '../../http/state.js';
import { validate } from '../../http/validation.js';
import type { NetworkDatabase } from '../db/index.js';
import { forbidden } from '../errors.js';
import type Router from '@koa/router';
import { listPage, pageLinks, pickFields, type ListQuery, type ListSpec, type Scope } from '../listing.js';

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

/** One collection's GET: the caller's scope, Neutron's filters, sort and paging, views made a page at a time. */
export interface Collection<Row extends { id: string }> {
  /** The URL path segment, `security-groups`. */
  path: string;
  /** The body key, `security_groups`. */
  key: string;
  spec: ListSpec;
  scope: (caller: RequestContext) => Scope;
  views: (rows: Row[], caller: RequestContext) => Promise<Record<string, unknown>[]>;
  /** Conditions a query adds beside the column filters (ports' `fixed_ips=`). */
  extra?: (query: ListQuery) => Scope[];
  /** Runs first (security groups make the caller's default group). */
  before?: (caller: RequestContext) => Promise<unknown>;
}

export function registerList<Row extends { id: string }>(router: Router<ApiState>, deps: NetworkDeps, c: Collection<Row>): void {
  router.get(`/${c.path}`, async (ctx) => {
    const caller = callerOf(ctx);
    const query = queryOf(ctx);
    await c.before?.(caller);
    const page = await listPage<Row>(deps.db, c.spec, c.scope(caller), query, c.extra?.(query) ?? []);
    const links = pageLinks(collectionUrl(deps, ctx, c.path), query, page);
    ctx.body = { [c.key]: (await c.views(page.rows, caller)).map((v) => pickFields(v, query)), ...(links.length > 0 ? { [`${c.key}_links`]: links } : {}) };
  });
}

/** Resources only their project sees (and admins): security groups, routers, floating IPs. */
export { ownScope } from '../listing.js';
