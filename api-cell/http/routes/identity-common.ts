import type { RouterContext } from '@koa/router';
import type { Domain, Group, IdentityService, Project, Role, TokenClaims, User } from '../../identity/index.js';
import { ForbiddenError } from '../../../ops/runtime/index.js';
import type { ApiState } from '../state.js';

export type Ctx = RouterContext<ApiState>;

/** What every Keystone resource route needs: who calls, Keystone's default policy, its views. */
export class IdentityViews {
  constructor(
    readonly identity: IdentityService,
    private readonly publicUrl: string,
  ) {}

  async caller(ctx: Ctx): Promise<TokenClaims & { isAdmin: boolean }> {
    const claims = await this.identity.validate(ctx.get('x-auth-token'));
    return { ...claims, isAdmin: claims.roles.some((r) => r.toLowerCase() === 'admin') };
  }

  /** Keystone's default `admin_required`: an admin role on the token, or 403. */
  async adminOnly(ctx: Ctx, rule: string): Promise<void> {
    if (!(await this.caller(ctx)).isAdmin) throw forbidden(rule);
  }

  /** An admin, or the user the request is about. */
  async adminOrSelf(ctx: Ctx, userId: string, rule: string): Promise<void> {
    const who = await this.caller(ctx);
    if (!who.isAdmin && who.userId !== userId) throw forbidden(rule);
  }

  /** After a write that may have revoked tokens: the next request already sees it. */
  async written(ctx: Ctx, status: number, body?: unknown): Promise<void> {
    await this.identity.refreshRevocations();
    ctx.status = status;
    if (body !== undefined) ctx.body = body;
  }

  url(ctx: Ctx, path: string): string {
    return `${this.publicUrl || ctx.origin}/identity/v3/${path}`;
  }

  private link(ctx: Ctx, kind: string, id: string) {
    return { self: this.url(ctx, `${kind}/${id}`) };
  }

  list(ctx: Ctx, key: string, items: unknown[]) {
    return { [key]: items, links: { self: `${this.publicUrl || ctx.origin}${ctx.path}`, previous: null, next: null } };
  }

  project(ctx: Ctx, p: Project) {
    return {
      ...p.extra,
      id: p.id,
      name: p.name,
      domain_id: p.domain_id,
      description: p.description ?? '',
      enabled: p.enabled,
      parent_id: p.domain_id,
      is_domain: false,
      tags: p.tags,
      options: {},
      links: this.link(ctx, 'projects', p.id),
    };
  }

  user(ctx: Ctx, u: User) {
    return {
      ...u.extra,
      id: u.id,
      name: u.name,
      domain_id: u.domain_id,
      enabled: u.enabled,
      ...(u.default_project_id ? { default_project_id: u.default_project_id } : {}),
      password_expires_at: null,
      options: {},
      links: this.link(ctx, 'users', u.id),
    };
  }

  role(ctx: Ctx, r: Role) {
    return { id: r.id, name: r.name, domain_id: null, description: r.description, options: {}, links: this.link(ctx, 'roles', r.id) };
  }

  domain(ctx: Ctx, d: Domain) {
    return { id: d.id, name: d.name, description: d.description ?? '', enabled: d.enabled, tags: [], options: {}, links: this.link(ctx, 'domains', d.id) };
  }

  group(ctx: Ctx, g: Group) {
    return { id: g.id, name: g.name, domain_id: g.domain_id, description: g.description ?? '', links: this.link(ctx, 'groups', g.id) };
  }
}

export const forbidden = (rule: string): ForbiddenError => new ForbiddenError(`You are not authorized to perform the requested action: ${rule}.`);

/** Keystone reads a query boolean as false for 0, f, false, n, no and off. */
export const queryBool = (value: string): boolean => !['0', 'f', 'false', 'n', 'no', 'off'].includes(value.toLowerCase());

const queryText = (ctx: Ctx, key: string): string | undefined => {
  const v = ctx.query[key];
  return Array.isArray(v) ? v[0] : v;
};

/** The list filters Keystone offers on most collections: name, domain_id, enabled. */
export function matches(ctx: Ctx, item: { name: string; domain_id?: string; enabled?: boolean }): boolean {
  const name = queryText(ctx, 'name');
  const domainId = queryText(ctx, 'domain_id');
  const enabled = queryText(ctx, 'enabled');
  return (
    (name === undefined || name === item.name) &&
    (domainId === undefined || domainId === item.domain_id) &&
    (enabled === undefined || item.enabled === undefined || queryBool(enabled) === item.enabled)
  );
}

export { queryText };

/** Splits a body's known attributes from the extra ones Keystone stores as they came. */
export function splitExtra(body: Record<string, unknown>, known: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !known.includes(k)));
}
