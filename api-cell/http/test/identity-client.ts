import { assignRole, bootstrapIdentity, createProject, createUser, findRole } from '../../identity/index.js';
import { TestDeployment } from '../../../ops/testing/index.js';

export type Answer = { status: number; body: Record<string, any> };

/**
 * A deployment with the built-in identity, an admin, and alice, a member of project demo; and
 * the calls the identity tests make through its REST API.
 */
export class IdentityTestClient {
  admin = '';
  member = '';
  demoId = '';

  private constructor(readonly d: TestDeployment) {}

  static async start(secret: string): Promise<IdentityTestClient> {
    const d = await TestDeployment.start({ cells: [], config: { api: { auth_strategy: 'keystone' }, identity: { token_secret: secret } } });
    const c = new IdentityTestClient(d);
    await bootstrapIdentity(d.api, { password: 'admin-password' });
    const demo = await createProject(d.api, { name: 'demo' });
    c.demoId = demo.id;
    const alice = await createUser(d.api, { name: 'alice', password: 'alice-password', defaultProject: demo.id });
    await assignRole(d.api, alice.id, demo.id, (await findRole(d.api, 'member')).id);
    c.admin = (await c.login('admin', 'admin-password', 'admin')).token;
    c.member = (await c.login('alice', 'alice-password', 'demo')).token;
    return c;
  }

  async call(token: string, method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${this.d.apiUrl}/identity/v3${path}`, {
      method,
      headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  async login(user: string, password: string, project?: string, domain = 'Default'): Promise<{ status: number; token: string }> {
    const auth = {
      identity: { methods: ['password'], password: { user: { name: user, domain: { name: domain }, password } } },
      ...(project ? { scope: { project: { name: project, domain: { name: domain } } } } : {}),
    };
    const res = await fetch(`${this.d.apiUrl}/identity/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ auth }) });
    await res.text();
    return { status: res.status, token: res.headers.get('x-subject-token') ?? '' };
  }

  /** Whether the compute API still takes the token (a missing server is 404 to a valid token, 401 otherwise). */
  async computeTakes(token: string): Promise<boolean> {
    const res = await fetch(`${this.d.apiUrl}/v2.1/servers/00000000-0000-4000-8000-000000000000`, { headers: { 'x-auth-token': token } });
    await res.text();
    return res.status !== 401;
  }
}

export const names = (items: { name: string }[]): string[] => items.map((i) => i.name).sort();
