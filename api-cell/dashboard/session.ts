import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TtlCache } from '../../ops/runtime/index.js';
import { ApiFault, type OpenStackClient } from './client.js';

/** Who is signed in: what their token says, as the identity endpoint validated it. */
export interface Viewer {
  token: string;
  userId: string;
  userName: string;
  projectId: string;
  projectName: string;
  roles: string[];
  admin: boolean;
  expiresAt: string;
  /** The value every form of this session carries back. */
  csrf: string;
}

export const TOKEN_COOKIE = 'cellstack_token';
/** Before sign-in: the double-submit value the sign-in form carries (no token to tie it to yet). */
export const LOGIN_CSRF_COOKIE = 'cellstack_login_csrf';
export const COOKIE_PATH = '/dashboard';
/** How long a token last found good is trusted while the identity endpoint cannot be asked. */
const STALE_OK_MS = 5 * 60_000;

interface TokenBody {
  token: {
    user: { id: string; name: string };
    project?: { id: string; name: string };
    roles?: { name: string }[];
    expires_at: string;
  };
}

export interface SignIn {
  user: string;
  password: string;
  project?: string;
  domain?: string;
}

const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Sign-in, token checks and CSRF values, all through the identity endpoint; the dashboard keeps no session store. */
export class Sessions {
  private readonly checked = new TtlCache<Viewer>(5000);
  /** The last time each token was found good: trusted a while longer when the identity endpoint cannot answer. */
  private readonly lastGood = new Map<string, { viewer: Viewer; at: number }>();
  private readonly csrfKey: Buffer;

  /** `secret` ties CSRF values to tokens; dashboards behind one proxy share it (the deployment's token secret). */
  constructor(
    private readonly identity: OpenStackClient,
    secret: string,
  ) {
    this.csrfKey = secret ? createHmac('sha256', secret).update('cellstack dashboard csrf').digest() : randomBytes(32);
  }

  csrfFor(token: string): string {
    return createHmac('sha256', this.csrfKey).update(token).digest('base64url');
  }

  static loginCsrf(): string {
    return randomBytes(18).toString('base64url');
  }

  static csrfMatches(given: unknown, expected: string): boolean {
    return typeof given === 'string' && given !== '' && equal(given, expected);
  }

  /** A project-scoped token for the user's own credentials, or an ApiFault saying why not. */
  async signIn(s: SignIn): Promise<Viewer> {
    const domain = { name: s.domain || 'Default' };
    const auth = {
      identity: { methods: ['password'], password: { user: { name: s.user, domain, password: s.password } } },
      ...(s.project ? { scope: { project: { name: s.project, domain } } } : {}),
    };
    const answer = await this.identity.call<TokenBody>(undefined, '/identity/v3/auth/tokens?nocatalog=1', { method: 'POST', body: { auth } });
    const token = answer.headers.get('x-subject-token') ?? '';
    const viewer = this.viewerOf(token, answer.body);
    if (!viewer.projectId) throw new ApiFault(401, 'This user has no default project: name the project to sign in to.');
    return viewer;
  }

  /** The viewer a token stands for, or undefined when the identity endpoint refuses it (expired, revoked). */
  async check(token: string | undefined): Promise<Viewer | undefined> {
    if (!token) return undefined;
    const key = createHash('sha256').update(token).digest('base64url');
    try {
      const viewer = await this.checked.get(key, async () => {
        const answer = await this.identity.call<TokenBody>(token, '/identity/v3/auth/tokens?nocatalog=1', { headers: { 'x-subject-token': token } });
        return this.viewerOf(token, answer.body);
      });
      this.remember(key, viewer);
      return viewer;
    } catch (err) {
      if (err instanceof ApiFault && (err.status === 401 || err.status === 404)) {
        this.lastGood.delete(key);
        return undefined;
      }
      // The identity endpoint is away (a 503, no answer): a token it said was good a little while
      // ago still is, so an operator can watch the cells page through an outage of the API.
      const good = this.lastGood.get(key);
      if (good && Date.now() - good.at < STALE_OK_MS && Date.parse(good.viewer.expiresAt) > Date.now()) return good.viewer;
      throw err;
    }
  }

  private remember(key: string, viewer: Viewer): void {
    if (this.lastGood.size >= 10_000) this.lastGood.clear();
    this.lastGood.set(key, { viewer, at: Date.now() });
  }

  async signOut(token: string): Promise<void> {
    const key = createHash('sha256').update(token).digest('base64url');
    this.checked.forget(key);
    this.lastGood.delete(key);
    await this.identity.call(token, '/identity/v3/auth/tokens', { method: 'DELETE', headers: { 'x-subject-token': token } }).catch(() => undefined);
  }

  private viewerOf(token: string, body: TokenBody): Viewer {
    const roles = (body.token.roles ?? []).map((r) => r.name);
    return {
      token,
      userId: body.token.user.id,
      userName: body.token.user.name,
      projectId: body.token.project?.id ?? '',
      projectName: body.token.project?.name ?? '',
      roles,
      admin: roles.includes('admin'),
      expiresAt: body.token.expires_at,
      csrf: this.csrfFor(token),
    };
  }
}
