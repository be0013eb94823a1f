import { TtlCache, UnauthorizedError, UnavailableError } from '../../ops/runtime/index.js';
import type { TokenClaims } from './tokens.js';

export interface ExternalKeystoneOptions {
  url: string;
  user: string;
  password: string;
  project: string;
}

interface KeystoneToken {
  token: {
    user: { id: string };
    project?: { id: string };
    roles?: { name: string }[];
    methods?: string[];
    issued_at: string;
    expires_at: string;
    audit_ids?: string[];
  };
}

/**
 * Validates tokens against a site's own Keystone, as keystonemiddleware does: the API holds a
 * service token of its own and asks Keystone about each caller's token, remembering answers
 * for a minute.
 */
export class ExternalTokenValidator {
  private readonly answers = new TtlCache<TokenClaims>(60_000);
  private serviceToken: { id: string; until: number } | undefined;

  constructor(private readonly options: ExternalKeystoneOptions) {}

  validate(token: string): Promise<TokenClaims> {
    return this.answers.get(token, () => this.ask(token));
  }

  private async ask(token: string): Promise<TokenClaims> {
    const res = await this.fetch('GET', '/auth/tokens', { 'x-auth-token': await this.service(), 'x-subject-token': token });
    if (res.status === 404 || res.status === 401) throw new UnauthorizedError('The request you have made requires authentication.');
    if (res.status !== 200) throw new UnavailableError(`Keystone answered ${res.status} to a token check`);
    const { token: t } = (await res.json()) as KeystoneToken;
    return {
      userId: t.user.id,
      projectId: t.project?.id ?? null,
      roles: (t.roles ?? []).map((r) => r.name.toLowerCase()),
      methods: t.methods ?? [],
      issuedAt: Date.parse(t.issued_at),
      expiresAt: Date.parse(t.expires_at),
      auditId: t.audit_ids?.[0] ?? '',
    };
  }

  private async service(): Promise<string> {
    if (this.serviceToken && this.serviceToken.until > Date.now()) return this.serviceToken.id;
    const { user, password, project } = this.options;
    const body = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
        scope: { project: { name: project, domain: { id: 'default' } } },
      },
    };
    const res = await this.fetch('POST', '/auth/tokens', { 'content-type': 'application/json' }, JSON.stringify(body));
    const id = res.headers.get('x-subject-token');
    if (res.status !== 201 || !id) throw new UnavailableError(`the API could not get a service token from Keystone (${res.status})`);
    this.serviceToken = { id, until: Date.now() + 10 * 60_000 };
    return id;
  }

  private async fetch(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Response> {
    try {
      return await fetch(`${this.options.url.replace(/\/$/, '')}${path}`, { method, headers, ...(body ? { body } : {}), signal: AbortSignal.timeout(5000) });
    } catch (cause) {
      throw new UnavailableError(`Keystone at ${this.options.url} does not answer`, { cause });
    }
  }
}
