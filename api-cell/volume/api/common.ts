import type { RouterContext } from '@koa/router';
import { InvalidInputError, NotFoundError, type Config } from '../../../ops/runtime/index.js';
import { atLeast } from '../../http/microversion.js';
import type { ApiState } from '../../http/state.js';
import type { IdentityService } from '../../identity/index.js';
import type { VolumeViewer } from '../records.js';
import type { VolumeService } from '../service.js';
import { typesByUuid } from '../types.js';
import type { ViewContext } from './views.js';

export type Ctx = RouterContext<ApiState>;

/** What the volume API's routes reach. */
export interface VolumeApiDeps {
  config: Config;
  identity: IdentityService;
  volumes: VolumeService;
  publicUrl: string;
}

/** Every route is served with the project in the URL (as catalogs long had it) and without (3.67's form). */
export const at = (path: string): string[] => [`/:project_id${path}`, path];

export const viewerOf = (ctx: Ctx): VolumeViewer => ({ projectId: ctx.state.context.projectId, userId: ctx.state.context.userId, isAdmin: ctx.state.context.isAdmin });

export async function viewContext(ctx: Ctx, deps: VolumeApiDeps): Promise<ViewContext> {
  return { version: ctx.state.version, isAdmin: ctx.state.context.isAdmin, base: `${deps.publicUrl || ctx.origin}/volume/v3`, types: await typesByUuid(deps.volumes.deps.db) };
}

/** A call added at `version`: older requests get Cinder's 404 for an unknown method. */
export function requireVersion(ctx: Ctx, version: string): void {
  if (!atLeast(ctx.state.version, version)) throw new NotFoundError('The resource could not be found.');
}

const query = (ctx: Ctx, key: string): string | undefined => {
  const value = ctx.query[key];
  return Array.isArray(value) ? value[value.length - 1] : value;
};
export { query as queryValue };

/** Whose resources a list shows: the caller's project, or for admins with all_tenants every project (or `project_id`). */
export function listedProject(ctx: Ctx): string | undefined {
  const all = query(ctx, 'all_tenants');
  if (ctx.state.context.isAdmin && all !== undefined && !['0', 'false', 'False'].includes(all)) return query(ctx, 'project_id');
  return ctx.state.context.projectId;
}

export interface Paging {
  limit: number;
  offset: number;
  marker: string | undefined;
  sortKey: string;
  sortDir: 'asc' | 'desc';
}

/** `limit`, `marker`, and `sort=key:dir` or `sort_key`/`sort_dir`, checked against the keys a list sorts by. */
export function paging(ctx: Ctx, keys: Record<string, string>, maxLimit: number): Paging {
  const limitText = query(ctx, 'limit');
  const limit = limitText === undefined ? maxLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidInputError(`Invalid input received: limit param must be an integer`);
  const [sortKey = 'created_at', sortDir = 'desc'] = (query(ctx, 'sort') ?? `${query(ctx, 'sort_key') ?? 'created_at'}:${query(ctx, 'sort_dir') ?? 'desc'}`).split(',')[0]?.split(':') ?? [];
  if (!(sortKey in keys)) throw new InvalidInputError(`Invalid input received: Invalid sort key ${sortKey}`);
  if (sortDir !== 'asc' && sortDir !== 'desc') throw new InvalidInputError(`Invalid input received: Invalid sort dir ${sortDir}`);
  const offset = Number(query(ctx, 'offset') ?? 0);
  if (!Number.isInteger(offset) || offset < 0) throw new InvalidInputError('Invalid input received: offset param must be an integer');
  return { limit: Math.min(limit, maxLimit), offset, marker: query(ctx, 'marker'), sortKey, sortDir };
}

/** Cinder's `<collection>_links` next link when a page came back full: the same query after the last item. */
export function nextLink(ctx: Ctx, base: string, limit: number, last: string | undefined, count: number): { rel: string; href: string }[] | undefined {
  if (last === undefined || count < limit || query(ctx, 'limit') === undefined) return undefined;
  const params = new URLSearchParams(Object.entries(ctx.query).flatMap(([k, v]) => (k === 'marker' ? [] : (Array.isArray(v) ? v : [v ?? '']).map((x): [string, string] => [k, x]))));
  params.set('marker', last);
  // The path the request came in by: with the project in it or without.
  return [{ rel: 'next', href: `${base}${ctx.path.slice('/volume/v3'.length)}?${params.toString()}` }];
}
