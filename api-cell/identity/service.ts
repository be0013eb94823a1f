import { errorMessage, InvalidInputError, UnauthorizedError, type Config, type Logger } from '../../ops/runtime/index.js';
import type { ApiDatabase } from '../db/index.js';
import { serviceCatalog, type CatalogEntry } from './catalog.js';
import { ExternalTokenValidator } from './external.js';
import { findDomain, findProject, findUser, type Ref } from './lookup.js';
import { pruneRevocations, revocationEventsSince, revokedSince, revokeToken } from './revocations.js';
import { rolesOn } from './roles.js';
import { authenticate } from './users.js';
import { TokenSigner, type TokenClaims } from './tokens.js';

/** POST /v3/auth/tokens, the parts clients send. */
export interface AuthRequest {
  auth: {
    identity: {
      methods: string[];
      password?: { user: Ref & { password: string } };
      token?: { id: string };
    };
    scope?: 'unscoped' | { project?: Ref; system?: unknown; domain?: unknown };
  };
}

const isoMicros = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');

/**
 * The built-in identity: issues tokens for a password (or for another token, to re-scope),
 * validates them without touching the database (revocations are synced every few seconds),
 * and describes them the way Keystone does, service catalog included.
 */
export class IdentityService {
  private readonly signer: TokenSigner | undefined;
  private readonly external: ExternalTokenValidator | undefined;
  private readonly revoked = new Set<string>();
  /** `user|project` (either may be empty) → tokens issued up to this time are revoked. */
  private readonly revokedBefore = new Map<string, number>();
  private syncedUpTo = new Date(0);
  private eventsSyncedUpTo = new Date(0);
  private prunedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly catalog: CatalogEntry[];

  constructor(
    private readonly api: ApiDatabase,
    private readonly config: Config,
    publicUrl: string,
    private readonly log: Logger,
  ) {
    const id = config.identity;
    if (id.external_url) {
      this.external = new ExternalTokenValidator({ url: id.external_url, user: id.service_user, password: id.service_password, project: id.service_project });
    } else if (id.token_secret) {
      this.signer = new TokenSigner(id.token_secret, id.token_ttl_s);
    }
    this.catalog = serviceCatalog(publicUrl, id.region);
  }

  /** Whether this API can issue tokens itself (it cannot when it defers to an external Keystone). */
  get builtIn(): boolean {
    return this.signer !== undefined;
  }

  async start(): Promise<void> {
    if (!this.signer) return;
    await this.refreshRevocations();
    this.timer = setInterval(() => {
      this.refreshRevocations().catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'revocation sync failed'));
    }, 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Reads revocations recorded since the last look (by this process or another: cellctl, a second
   * API). Identity writes call it at once so their own revocations apply to the next request.
   */
  async refreshRevocations(): Promise<void> {
    if (!this.signer) return;
    const since = new Date(this.syncedUpTo.getTime() - 10_000);
    for (const row of await revokedSince(this.api, since)) {
      this.revoked.add(row.audit_id);
      if (row.created_at > this.syncedUpTo) this.syncedUpTo = row.created_at;
    }
    const oldestToken = new Date(Date.now() - this.config.identity.token_ttl_s * 1000);
    for (const [key, before] of this.revokedBefore) if (before < oldestToken.getTime()) this.revokedBefore.delete(key);
    for (const event of await revocationEventsSince(this.api, new Date(this.eventsSyncedUpTo.getTime() - 10_000), oldestToken)) {
      const key = `${event.user_id ?? ''}|${event.project_id ?? ''}`;
      this.revokedBefore.set(key, Math.max(this.revokedBefore.get(key) ?? 0, event.issued_before.getTime()));
      if (event.created_at > this.eventsSyncedUpTo) this.eventsSyncedUpTo = event.created_at;
    }
    if (Date.now() - this.prunedAt > 60_000) {
      this.prunedAt = Date.now();
      await pruneRevocations(this.api, oldestToken);
    }
  }

  private revokedByEvent(claims: TokenClaims): boolean {
    const project = claims.projectId ?? '';
    const keys = [`${claims.userId}|`, `${claims.userId}|${project}`, ...(project ? [`|${project}`] : [])];
    return keys.some((key) => claims.issuedAt < (this.revokedBefore.get(key) ?? -1));
  }

  private requireSigner(): TokenSigner {
    if (!this.signer) throw new UnauthorizedError('This deployment validates tokens with an external Keystone; ask it for a token.');
    return this.signer;
  }

  /** Checks a token: signature, expiry and revocation (or asks the external Keystone). */
  async validate(token: string): Promise<TokenClaims> {
    if (this.external) return this.external.validate(token);
    const claims = this.requireSigner().verify(token);
    if (this.revoked.has(claims.auditId) || this.revokedByEvent(claims)) throw new UnauthorizedError('The token has been revoked.');
    return claims;
  }

  /** Authenticates and issues a token, scoped to a project when asked. */
  async issue(request: AuthRequest): Promise<{ token: string; claims: TokenClaims }> {
    const signer = this.requireSigner();
    const { identity, scope } = request.auth;
    let userId: string;
    let methods: string[];
    let inheritedProject: string | null = null;
    if (identity.methods.includes('password') && identity.password) {
      const { password, ...ref } = identity.password.user;
      userId = (await authenticate(this.api, ref, password)).id;
      methods = ['password'];
    } else if (identity.methods.includes('token') && identity.token) {
      const previous = await this.validate(identity.token.id);
      userId = previous.userId;
      methods = previous.methods;
      inheritedProject = previous.projectId;
    } else {
      throw new InvalidInputError('Expecting to find the password or token method in the request.');
    }
    let projectId: string | null = null;
    if (scope && scope !== 'unscoped' && scope.project) {
      const project = await findProject(this.api, scope.project);
      if (!project.enabled) throw new UnauthorizedError(`Project ${project.id} is disabled.`);
      projectId = project.id;
    } else if (!scope && inheritedProject) {
      projectId = inheritedProject;
    } else if (!scope) {
      projectId = await this.usableDefaultProject(userId);
    }
    let roles: string[] = [];
    if (projectId) {
      roles = (await rolesOn(this.api, userId, projectId)).map((r) => r.name);
      if (roles.length === 0) throw new UnauthorizedError(`User ${userId} has no access to project ${projectId}`);
    }
    return signer.issue({ userId, projectId, roles, methods });
  }

  /** A user's default project, if it still exists and is enabled; otherwise the token is unscoped, as in Keystone. */
  private async usableDefaultProject(userId: string): Promise<string | null> {
    const id = (await findUser(this.api, { id: userId })).default_project_id;
    if (!id) return null;
    const project = await findProject(this.api, { id }).catch(() => undefined);
    return project?.enabled ? project.id : null;
  }

  async revoke(token: string): Promise<void> {
    const claims = await this.validate(token);
    this.revoked.add(claims.auditId);
    await revokeToken(this.api, claims.auditId, claims.expiresAt);
  }

  /** The token as Keystone shows it in POST and GET /v3/auth/tokens. */
  async describe(claims: TokenClaims, withCatalog = true): Promise<Record<string, unknown>> {
    const user = await findUser(this.api, { id: claims.userId });
    const userDomain = await findDomain(this.api, { id: user.domain_id });
    const token: Record<string, unknown> = {
      methods: claims.methods,
      user: { id: user.id, name: user.name, domain: { id: userDomain.id, name: userDomain.name }, password_expires_at: null },
      audit_ids: [claims.auditId],
      issued_at: isoMicros(claims.issuedAt),
      expires_at: isoMicros(claims.expiresAt),
    };
    if (claims.projectId) {
      const project = await findProject(this.api, { id: claims.projectId });
      const roles = await rolesOn(this.api, claims.userId, claims.projectId);
      const domain = await findDomain(this.api, { id: project.domain_id });
      token['project'] = { id: project.id, name: project.name, domain: { id: domain.id, name: domain.name } };
      token['is_domain'] = false;
      token['roles'] = roles.filter((r) => claims.roles.includes(r.name)).map((r) => ({ id: r.id, name: r.name }));
      if (withCatalog) token['catalog'] = this.catalog;
    }
    return { token };
  }
}
