import test from 'ava';
import { bootstrapIdentity, createProject, createUser, findRole, assignRole, TokenSigner } from '../../identity/index.js';
import { TestDeployment } from '../../../ops/testing/index.js';

const secret = 'test-secret-that-signs-tokens';
const apiLog: string[] = [];
let d: TestDeployment;
let adminProject = '';
test.before(async () => {
  d = await TestDeployment.start({
    cells: [{ name: 'one', pools: [{ prefix: 'h', hosts: 1 }] }],
    config: { api: { auth_strategy: 'keystone' }, identity: { token_secret: secret } },
    apiLog,
  });
  adminProject = (await bootstrapIdentity(d.api, { password: 'admin-password' })).project.id;
  const demo = await createProject(d.api, { name: 'demo' });
  const alice = await createUser(d.api, { name: 'alice', password: 'alice-password', defaultProject: demo.id });
  await assignRole(d.api, alice.id, demo.id, (await findRole(d.api, 'member')).id);
});
test.after.always(() => d?.stop());

function authBody(user: string, password: string, project?: string) {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
      ...(project ? { scope: { project: { name: project, domain: { id: 'default' } } } } : {}),
    },
  };
}

async function login(user: string, password: string, project?: string) {
  const res = await fetch(`${d.apiUrl}/identity/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(authBody(user, password, project)) });
  return { status: res.status, token: res.headers.get('x-subject-token') ?? '', body: (await res.json()) as Record<string, any> };
}

const compute = (token: string, path = '/v2.1/servers/00000000-0000-4000-8000-000000000000', init: RequestInit = {}) =>
  fetch(`${d.apiUrl}${path}`, { ...init, headers: { 'x-auth-token': token, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

test('identity - version discovery at /identity and /identity/v3', async (t) => {
  const root = await fetch(`${d.apiUrl}/identity`);
  t.is(root.status, 300);
  const v3 = (await (await fetch(`${d.apiUrl}/identity/v3`)).json()) as { version: { id: string; status: string } };
  t.is(v3.version.id, 'v3.14');
  t.is(v3.version.status, 'stable');
});

test('identity - a password login scoped to a project returns a token with roles and the service catalog', async (t) => {
  const { status, token, body } = await login('admin', 'admin-password', 'admin');
  t.is(status, 201);
  t.regex(token, /^cs1\.[\w-]+\.[\w-]+$/);
  t.is(body['token'].project.id, adminProject);
  t.is(body['token'].user.name, 'admin');
  t.deepEqual(body['token'].roles.map((r: { name: string }) => r.name).sort(), ['admin', 'member', 'reader']);
  const types = body['token'].catalog.map((c: { type: string }) => c.type).sort();
  t.deepEqual(types, ['block-storage', 'compute', 'identity', 'image', 'network', 'placement', 'volumev3']);
  const computeUrl = body['token'].catalog.find((c: { type: string }) => c.type === 'compute').endpoints.find((e: { interface: string }) => e.interface === 'public').url;
  t.is(computeUrl, `${d.apiUrl}/v2.1`);
  t.regex(body['token'].expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('identity - a user without a project given is scoped to its default project', async (t) => {
  const { status, body } = await login('alice', 'alice-password');
  t.is(status, 201);
  t.is(body['token'].project.name, 'demo');
});

test('identity - a bad password and an unknown user get the same 401, in Keystone shape', async (t) => {
  const bad = await login('alice', 'wrong-password', 'demo');
  const unknown = await login('mallory', 'whatever-password', 'demo');
  t.is(bad.status, 401);
  t.deepEqual(bad.body, unknown.body);
  t.deepEqual(bad.body, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  const noAccess = await login('alice', 'alice-password', 'admin');
  t.is(noAccess.status, 401, 'a user cannot scope to a project it has no role on');
});

test('identity - the compute API takes a valid token and refuses none, a forged one and an expired one', async (t) => {
  const { token } = await login('alice', 'alice-password', 'demo');
  const ok = await compute(token);
  t.is(ok.status, 404, 'authenticated: the server is simply not there');
  t.is((await compute('')).status, 401);
  const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  t.is((await compute(forged)).status, 401);
  const otherKey = new TokenSigner('another-secret-of-some-length', 3600).issue({ userId: 'x', projectId: 'y', roles: ['admin'], methods: ['password'] }).token;
  t.is((await compute(otherKey)).status, 401, 'a token signed with another key');
  const expired = new TokenSigner(secret, 3600).issue({ userId: 'x', projectId: 'y', roles: ['admin'], methods: ['password'] }, Date.now() - 2 * 3600_000).token;
  const res = await compute(expired);
  t.is(res.status, 401);
  t.regex(res.headers.get('www-authenticate') ?? '', /Keystone uri=/);
});

test('identity - a member boots in its own project with its token', async (t) => {
  const { token, body } = await login('alice', 'alice-password', 'demo');
  const res = await compute(token, '/v2.1/servers', { method: 'POST', body: JSON.stringify({ server: { name: 'mine', flavorRef: '1', imageRef: d.image.uuid, networks: 'none' } }) });
  t.is(res.status, 202);
  const { server } = (await res.json()) as { server: { id: string } };
  const shown = (await (await compute(token, `/v2.1/servers/${server.id}`)).json()) as { server: { tenant_id: string; user_id: string } };
  t.is(shown.server.tenant_id, body['token'].project.id);
  t.is(shown.server.user_id, body['token'].user.id);
});

test('identity - GET /v3/auth/tokens validates a token, DELETE revokes it everywhere', async (t) => {
  const admin = (await login('admin', 'admin-password', 'admin')).token;
  const { token } = await login('alice', 'alice-password', 'demo');
  const check = await fetch(`${d.apiUrl}/identity/v3/auth/tokens`, { headers: { 'x-auth-token': admin, 'x-subject-token': token } });
  t.is(check.status, 200);
  t.is(((await check.json()) as Record<string, any>)['token'].user.name, 'alice');
  const revoke = await fetch(`${d.apiUrl}/identity/v3/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': admin, 'x-subject-token': token } });
  t.is(revoke.status, 204);
  t.is((await compute(token)).status, 401);
  const again = await fetch(`${d.apiUrl}/identity/v3/auth/tokens`, { headers: { 'x-auth-token': admin, 'x-subject-token': token } });
  t.is(again.status, 404);
});

test('identity - tokens and passwords never appear in the logs', async (t) => {
  const { token } = await login('alice', 'alice-password', 'demo');
  await compute(token);
  await login('alice', 'wrong-password', 'demo');
  t.true(apiLog.length > 0, 'the API logged its requests');
  const all = apiLog.join('');
  t.false(all.includes(token.split('.')[2] ?? 'x'), 'no token signature in the logs');
  t.false(all.includes('alice-password'));
  t.false(all.includes('wrong-password'));
});

test('identity - projects and users: admins list and find them by name; a member sees only its own', async (t) => {
  const admin = (await login('admin', 'admin-password', 'admin')).token;
  const alice = (await login('alice', 'alice-password', 'demo')).token;
  const get = async (token: string, path: string) => {
    const res = await fetch(`${d.apiUrl}/identity/v3${path}`, { headers: { 'x-auth-token': token } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const byName = await get(admin, '/projects?name=demo');
  t.is(byName.status, 200);
  t.deepEqual(byName.body['projects'].map((p: { name: string }) => p.name), ['demo']);
  const demoId = byName.body['projects'][0].id;
  t.is((await get(admin, `/projects/${demoId}`)).body['project'].domain_id, 'default');
  t.deepEqual((await get(admin, '/users?name=alice')).body['users'].map((u: { name: string }) => u.name), ['alice']);
  t.is((await get(admin, '/projects/nope')).status, 404);

  t.is((await get(alice, '/projects')).status, 403);
  t.is((await get(alice, '/users')).status, 403);
  t.is((await get(alice, `/projects/${demoId}`)).status, 200);
  t.is((await get(alice, `/projects/${adminProject}`)).status, 403);
  t.deepEqual((await get(alice, '/auth/projects')).body['projects'].map((p: { name: string }) => p.name), ['demo']);
  t.is((await get('forged', '/projects')).status, 401);
});

test('identity - the network endpoint in the catalog takes the same tokens', async (t) => {
  const token = (await login('alice', 'alice-password', 'demo')).token;
  const res = await fetch(`${d.apiUrl}/network/v2.0/extensions`, { headers: { 'x-auth-token': token } });
  t.true(((await res.json()) as { extensions: { alias: string }[] }).extensions.some((e) => e.alias === 'security-group'));
  const networks = await fetch(`${d.apiUrl}/network/v2.0/networks`, { headers: { 'x-auth-token': token } });
  t.deepEqual(await networks.json(), { networks: [] });
  t.is((await fetch(`${d.apiUrl}/network/v2.0/quotas/x`, { headers: { 'x-auth-token': token } })).status, 403, "another project's quota is for admins");
  t.is((await fetch(`${d.apiUrl}/network/v2.0/networks`)).status, 401);
});
