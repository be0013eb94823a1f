import test from 'ava';
import { assignRole, bootstrapIdentity, createProject, createUser, deleteUser, findRole } from '../../identity/index.js';
import { TestDeployment } from '../../../ops/testing/index.js';

// Keystone v3's administration through the REST API, as Tempest's dynamic credentials,
// Terraform and the clients' own functional tests drive it.
let d: TestDeployment;
let admin = '';
let member = '';
let demoId = '';

type Answer = { status: number; body: Record<string, any> };

async function call(token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${d.apiUrl}/identity/v3${path}`, {
    method,
    headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

async function login(user: string, password: string, project?: string, domain = 'Default'): Promise<{ status: number; token: string }> {
  const auth = {
    identity: { methods: ['password'], password: { user: { name: user, domain: { name: domain }, password } } },
    ...(project ? { scope: { project: { name: project, domain: { name: domain } } } } : {}),
  };
  const res = await fetch(`${d.apiUrl}/identity/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ auth }) });
  await res.text();
  return { status: res.status, token: res.headers.get('x-subject-token') ?? '' };
}

/** Whether the compute API still takes the token (a missing server is 404 to a valid token, 401 otherwise). */
async function computeTakes(token: string): Promise<boolean> {
  const res = await fetch(`${d.apiUrl}/v2.1/servers/00000000-0000-4000-8000-000000000000`, { headers: { 'x-auth-token': token } });
  await res.text();
  return res.status !== 401;
}

const names = (items: { name: string }[]) => items.map((i) => i.name).sort();

test.before(async () => {
  d = await TestDeployment.start({ cells: [], config: { api: { auth_strategy: 'keystone' }, identity: { token_secret: 'identity-admin-test-secret' } } });
  await bootstrapIdentity(d.api, { password: 'admin-password' });
  const demo = await createProject(d.api, { name: 'demo' });
  demoId = demo.id;
  const alice = await createUser(d.api, { name: 'alice', password: 'alice-password', defaultProject: demo.id });
  await assignRole(d.api, alice.id, demo.id, (await findRole(d.api, 'member')).id);
  admin = (await login('admin', 'admin-password', 'admin')).token;
  member = (await login('alice', 'alice-password', 'demo')).token;
});
test.after.always(() => d?.stop());

test('identity admin - projects: create, a duplicate name is a 409, list filters, show, update, delete', async (t) => {
  const created = await call(admin, 'POST', '/projects', { project: { name: 'p-one', description: 'first', enabled: true, domain_id: 'default', tags: ['blue', 'big'] } });
  t.is(created.status, 201);
  t.like(created.body['project'], { name: 'p-one', description: 'first', enabled: true, domain_id: 'default', is_domain: false, tags: ['blue', 'big'] });
  const id = created.body['project'].id as string;
  t.regex(id, /^[0-9a-f]{32}$/);
  t.is(created.body['project'].links.self, `${d.apiUrl}/identity/v3/projects/${id}`);

  const dup = await call(admin, 'POST', '/projects', { project: { name: 'p-one' } });
  t.is(dup.status, 409);
  t.deepEqual(dup.body, { error: { code: 409, title: 'Conflict', message: 'Conflict occurred attempting to store project - Duplicate entry found with name p-one at domain ID default.' } });

  await call(admin, 'POST', '/projects', { project: { name: 'p-two', enabled: false, tags: ['blue'] } });
  t.deepEqual(names((await call(admin, 'GET', '/projects?name=p-one')).body['projects']), ['p-one']);
  const disabled = (await call(admin, 'GET', '/projects?enabled=false')).body['projects'] as { name: string; enabled: boolean }[];
  t.true(disabled.some((p) => p.name === 'p-two') && disabled.every((p) => !p.enabled));
  t.deepEqual(names((await call(admin, 'GET', '/projects?tags=blue')).body['projects']), ['p-one', 'p-two']);
  t.deepEqual(names((await call(admin, 'GET', '/projects?tags=blue,big')).body['projects']), ['p-one']);
  t.true((await call(admin, 'GET', '/projects?domain_id=default')).body['projects'].length >= 4);
  t.deepEqual((await call(admin, 'GET', '/projects?domain_id=elsewhere')).body['projects'], []);

  const updated = await call(admin, 'PATCH', `/projects/${id}`, { project: { description: 'renamed', name: 'p-uno' } });
  t.is(updated.status, 200);
  t.like(updated.body['project'], { id, name: 'p-uno', description: 'renamed', tags: ['blue', 'big'] });
  t.is((await call(admin, 'PATCH', `/projects/${id}`, { project: { name: 'p-two' } })).status, 409);
  t.is((await call(admin, 'GET', `/projects/${id}`)).body['project'].name, 'p-uno');

  t.is((await call(admin, 'DELETE', `/projects/${id}`)).status, 204);
  t.is((await call(admin, 'GET', `/projects/${id}`)).status, 404);
  t.is((await call(admin, 'DELETE', `/projects/${id}`)).status, 404);
});

test('identity admin - bad bodies are 400s in Keystone shape, never 500s', async (t) => {
  for (const body of [{}, { project: {} }, { project: { name: '' } }, { project: { name: 5 } }, { project: { name: 'x', enabled: 'yes' } }, { project: { name: 'x', is_domain: true } }, { project: { name: 'x', tags: ['a/b'] } }]) {
    const res = await call(admin, 'POST', '/projects', body);
    t.is(res.status, 400, JSON.stringify(body));
    t.is(res.body['error']?.title, 'Bad Request');
  }
  t.is((await call(admin, 'POST', '/users', { user: { password: 'no-name-given' } })).status, 400);
  t.is((await call(admin, 'POST', '/roles', { role: { name: 'r', unknown: 1 } })).status, 400);
  t.is((await call(admin, 'PATCH', `/projects/${demoId}`, { project: { domain_id: 'other' } })).status, 400);
});

test('identity admin - a member may not write: 403 for projects, users, roles, grants, domains, groups', async (t) => {
  const forbidden: [string, string, unknown?][] = [
    ['POST', '/projects', { project: { name: 'by-member' } }],
    ['PATCH', `/projects/${demoId}`, { project: { description: 'mine now' } }],
    ['DELETE', `/projects/${demoId}`],
    ['POST', '/users', { user: { name: 'by-member', password: 'some-password' } }],
    ['POST', '/roles', { role: { name: 'by-member' } }],
    ['PUT', `/projects/${demoId}/users/nobody/roles/admin`],
    ['GET', '/role_assignments'],
    ['POST', '/domains', { domain: { name: 'by-member' } }],
    ['POST', '/groups', { group: { name: 'by-member' } }],
    ['GET', '/groups'],
  ];
  for (const [method, path, body] of forbidden) {
    const res = await call(member, method, path, body);
    t.is(res.status, 403, `${method} ${path}`);
    t.regex(res.body['error']?.message ?? '', /^You are not authorized to perform the requested action: identity:\w+\.$/);
  }
  t.deepEqual(names((await call(admin, 'GET', '/projects?name=by-member')).body['projects']), []);
});

test('identity admin - users: create with extra attributes, log in, list filters, disable ends its tokens, delete ends them too', async (t) => {
  const created = await call(admin, 'POST', '/users', {
    user: { name: 'u-one', password: 'u-one-password', default_project_id: demoId, email: 'one@example.org', description: 'the first', enabled: true },
  });
  t.is(created.status, 201);
  t.like(created.body['user'], { name: 'u-one', domain_id: 'default', default_project_id: demoId, email: 'one@example.org', description: 'the first', enabled: true });
  t.false('password' in created.body['user']);
  const id = created.body['user'].id as string;
  t.is((await call(admin, 'POST', '/users', { user: { name: 'u-one', password: 'another-password' } })).status, 409);
  t.is((await call(admin, 'POST', '/users', { user: { name: 'u-x', default_project_id: 'no-such-project' } })).status, 404);

  t.is((await call(admin, 'PUT', `/projects/${demoId}/users/${id}/roles/member`)).status, 204);
  const { status, token } = await login('u-one', 'u-one-password');
  t.is(status, 201);
  t.true(await computeTakes(token));
  t.deepEqual(names((await call(admin, 'GET', '/users?name=u-one')).body['users']), ['u-one']);

  const disabled = await call(admin, 'PATCH', `/users/${id}`, { user: { enabled: false, email: 'new@example.org' } });
  t.like(disabled.body['user'], { enabled: false, email: 'new@example.org', description: 'the first' });
  t.false(await computeTakes(token), 'a disabled user’s token is no longer valid');
  t.is((await login('u-one', 'u-one-password')).status, 401);
  const disabledUsers = (await call(admin, 'GET', '/users?enabled=false')).body['users'] as { name: string; enabled: boolean }[];
  t.true(disabledUsers.some((u) => u.name === 'u-one') && disabledUsers.every((u) => !u.enabled));

  await call(admin, 'PATCH', `/users/${id}`, { user: { enabled: true } });
  const again = await login('u-one', 'u-one-password');
  t.is(again.status, 201);
  t.is((await call(admin, 'DELETE', `/users/${id}`)).status, 204);
  t.false(await computeTakes(again.token), 'a deleted user’s token is no longer valid');
  t.is((await login('u-one', 'u-one-password')).status, 401);
  t.deepEqual((await call(admin, 'GET', `/role_assignments?user.id=${id}`)).body['role_assignments'], []);
});

test('identity admin - a user changes its own password with the old one; its old tokens end', async (t) => {
  const user = (await call(admin, 'POST', '/users', { user: { name: 'u-pw', password: 'first-password', default_project_id: demoId } })).body['user'];
  await call(admin, 'PUT', `/projects/${demoId}/users/${user.id}/roles/member`);
  const before = (await login('u-pw', 'first-password')).token;
  const wrong = await call(before, 'POST', `/users/${user.id}/password`, { user: { original_password: 'not-it-at-all', password: 'second-password' } });
  t.is(wrong.status, 401);
  t.true(await computeTakes(before));
  const changed = await call(before, 'POST', `/users/${user.id}/password`, { user: { original_password: 'first-password', password: 'second-password' } });
  t.is(changed.status, 204);
  t.false(await computeTakes(before));
  t.is((await login('u-pw', 'first-password')).status, 401);
  t.is((await login('u-pw', 'second-password')).status, 201);
});

test('identity admin - role assignments: grant, check, list with names and filters, revoke ends the project token', async (t) => {
  const user = (await call(admin, 'POST', '/users', { user: { name: 'u-ra', password: 'u-ra-password' } })).body['user'];
  const project = (await call(admin, 'POST', '/projects', { project: { name: 'p-ra' } })).body['project'];
  const memberRole = (await call(admin, 'GET', '/roles?name=member')).body['roles'][0];
  const path = `/projects/${project.id}/users/${user.id}/roles/${memberRole.id}`;
  t.is((await call(admin, 'HEAD', path)).status, 404);
  t.is((await call(admin, 'PUT', path)).status, 204);
  t.is((await call(admin, 'PUT', path)).status, 204, 'granting twice is fine');
  t.is((await call(admin, 'HEAD', path)).status, 204);
  t.is((await call(admin, 'GET', path)).status, 204, 'GET checks a grant too');
  t.is((await call(admin, 'PUT', `/projects/${project.id}/users/nobody/roles/${memberRole.id}`)).status, 404);
  t.is((await call(admin, 'PUT', `/projects/${project.id}/users/${user.id}/roles/no-such-role`)).status, 404);
  t.deepEqual(names((await call(admin, 'GET', `/projects/${project.id}/users/${user.id}/roles`)).body['roles']), ['member']);

  const listed = await call(admin, 'GET', `/role_assignments?user.id=${user.id}&scope.project.id=${project.id}&include_names=true`);
  t.deepEqual(listed.body['role_assignments'], [
    {
      role: { id: memberRole.id, name: 'member' },
      user: { id: user.id, name: 'u-ra', domain: { id: 'default', name: 'Default' } },
      scope: { project: { id: project.id, name: 'p-ra', domain: { id: 'default', name: 'Default' } } },
      links: { assignment: `${d.apiUrl}/identity/v3${path}` },
    },
  ]);
  const byRole = (await call(admin, 'GET', `/role_assignments?role.id=${memberRole.id}`)).body['role_assignments'] as { user: { id: string } }[];
  t.true(byRole.some((a) => a.user.id === user.id));

  const scoped = await login('u-ra', 'u-ra-password', 'p-ra');
  t.is(scoped.status, 201);
  t.true(await computeTakes(scoped.token));
  t.is((await call(admin, 'DELETE', path)).status, 204);
  t.is((await call(admin, 'DELETE', path)).status, 404);
  t.false(await computeTakes(scoped.token), 'a token whose role was taken away is no longer valid');
  t.is((await login('u-ra', 'u-ra-password', 'p-ra')).status, 401);
});

test('identity admin - deleting a project ends the tokens scoped to it and its assignments', async (t) => {
  const user = (await call(admin, 'POST', '/users', { user: { name: 'u-pd', password: 'u-pd-password' } })).body['user'];
  const project = (await call(admin, 'POST', '/projects', { project: { name: 'p-pd' } })).body['project'];
  await call(admin, 'PUT', `/projects/${project.id}/users/${user.id}/roles/member`);
  const scoped = await login('u-pd', 'u-pd-password', 'p-pd');
  t.true(await computeTakes(scoped.token));
  t.is((await call(admin, 'DELETE', `/projects/${project.id}`)).status, 204);
  t.false(await computeTakes(scoped.token));
  t.deepEqual((await call(admin, 'GET', `/role_assignments?scope.project.id=${project.id}`)).body['role_assignments'], []);
});

test('identity admin - disabling a project ends the tokens scoped to it and refuses new ones until enabled', async (t) => {
  const user = (await call(admin, 'POST', '/users', { user: { name: 'u-off', password: 'u-off-password' } })).body['user'];
  const project = (await call(admin, 'POST', '/projects', { project: { name: 'p-off' } })).body['project'];
  await call(admin, 'PUT', `/projects/${project.id}/users/${user.id}/roles/member`);
  const scoped = await login('u-off', 'u-off-password', 'p-off');
  t.true(await computeTakes(scoped.token));
  t.like((await call(admin, 'PATCH', `/projects/${project.id}`, { project: { enabled: false } })).body['project'], { enabled: false });
  t.false(await computeTakes(scoped.token));
  t.is((await login('u-off', 'u-off-password', 'p-off')).status, 401);
  await call(admin, 'PATCH', `/projects/${project.id}`, { project: { enabled: true } });
  t.is((await login('u-off', 'u-off-password', 'p-off')).status, 201);
});

test('identity admin - roles: create, a duplicate name is a 409, delete takes its assignments with it', async (t) => {
  const created = await call(admin, 'POST', '/roles', { role: { name: 'operator', description: 'runs things' } });
  t.is(created.status, 201);
  t.like(created.body['role'], { name: 'operator', description: 'runs things', domain_id: null });
  const dup = await call(admin, 'POST', '/roles', { role: { name: 'operator' } });
  t.is(dup.status, 409);
  t.is(dup.body['error'].title, 'Conflict');
  const role = created.body['role'];
  const user = (await call(admin, 'POST', '/users', { user: { name: 'u-role', password: 'u-role-password' } })).body['user'];
  t.is((await call(admin, 'PUT', `/projects/${demoId}/users/${user.id}/roles/${role.id}`)).status, 204);
  const scoped = await login('u-role', 'u-role-password', 'demo');
  t.true(await computeTakes(scoped.token));
  t.is((await call(admin, 'GET', `/role_assignments?role.id=${role.id}`)).body['role_assignments'].length, 1);
  t.is((await call(admin, 'DELETE', `/roles/${role.id}`)).status, 204);
  t.is((await call(admin, 'GET', `/roles/${role.id}`)).status, 404);
  t.deepEqual((await call(admin, 'GET', `/role_assignments?role.id=${role.id}`)).body['role_assignments'], []);
  t.false(await computeTakes(scoped.token), 'a token that carried the deleted role is no longer valid');
});

test('identity admin - domains: create, users and projects in it log in, an enabled domain cannot be deleted (403), a disabled one can', async (t) => {
  const created = await call(admin, 'POST', '/domains', { domain: { name: 'acme', description: 'a customer' } });
  t.is(created.status, 201);
  t.like(created.body['domain'], { name: 'acme', description: 'a customer', enabled: true });
  const id = created.body['domain'].id as string;
  t.is((await call(admin, 'POST', '/domains', { domain: { name: 'acme' } })).status, 409);
  t.deepEqual(names((await call(admin, 'GET', '/domains?name=acme')).body['domains']), ['acme']);

  const project = (await call(admin, 'POST', '/projects', { project: { name: 'demo', domain_id: id } })).body['project'];
  t.is(project.domain_id, id, 'the same project name in another domain is fine');
  const user = (await call(admin, 'POST', '/users', { user: { name: 'alice', domain_id: id, password: 'acme-alice-password' } })).body['user'];
  t.is((await call(admin, 'PUT', `/projects/${project.id}/users/${user.id}/roles/member`)).status, 204);
  t.is((await call(admin, 'PUT', `/domains/${id}/users/${user.id}/roles/reader`)).status, 204);
  t.is((await call(admin, 'HEAD', `/domains/${id}/users/${user.id}/roles/reader`)).status, 204);
  t.deepEqual(names((await call(admin, 'GET', `/domains/${id}/users/${user.id}/roles`)).body['roles']), ['reader']);
  t.is((await call(admin, 'GET', `/role_assignments?scope.domain.id=${id}`)).body['role_assignments'][0].scope.domain.id, id);
  const scoped = await login('alice', 'acme-alice-password', 'demo', 'acme');
  t.is(scoped.status, 201);

  const refused = await call(admin, 'DELETE', `/domains/${id}`);
  t.is(refused.status, 403);
  t.is(refused.body['error'].message, 'Cannot delete a domain that is enabled, please disable it first.');
  t.like((await call(admin, 'PATCH', `/domains/${id}`, { domain: { enabled: false } })).body['domain'], { enabled: false });
  t.false(await computeTakes(scoped.token), 'disabling a domain ends its users’ tokens');
  t.is((await login('alice', 'acme-alice-password', 'demo', 'acme')).status, 401);
  t.is((await call(admin, 'GET', `/domains/${id}`)).body['domain'].enabled, false);
  t.is((await call(admin, 'DELETE', `/domains/${id}`)).status, 204);
  t.is((await call(admin, 'GET', `/domains/${id}`)).status, 404);
  t.is((await call(admin, 'GET', `/users/${user.id}`)).status, 404, 'its users went with it');
  t.is((await call(admin, 'GET', `/projects/${project.id}`)).status, 404, 'and its projects');
  t.is((await call(admin, 'PATCH', '/domains/default', { domain: { enabled: false } })).status, 403);
});

test('identity admin - groups: members, a group role on a project gives its members a token there, effective listing', async (t) => {
  const group = (await call(admin, 'POST', '/groups', { group: { name: 'devs', description: 'developers' } })).body['group'];
  t.like(group, { name: 'devs', description: 'developers', domain_id: 'default' });
  t.is((await call(admin, 'POST', '/groups', { group: { name: 'devs' } })).status, 409);
  const user = (await call(admin, 'POST', '/users', { user: { name: 'u-grp', password: 'u-grp-password' } })).body['user'];
  const project = (await call(admin, 'POST', '/projects', { project: { name: 'p-grp' } })).body['project'];
  const membership = `/groups/${group.id}/users/${user.id}`;
  t.is((await call(admin, 'HEAD', membership)).status, 404);
  t.is((await call(admin, 'PUT', membership)).status, 204);
  t.is((await call(admin, 'HEAD', membership)).status, 204);
  t.deepEqual(names((await call(admin, 'GET', `/groups/${group.id}/users`)).body['users']), ['u-grp']);
  t.deepEqual(names((await call(admin, 'GET', `/users/${user.id}/groups`)).body['groups']), ['devs']);
  t.deepEqual(names((await call(admin, 'GET', '/groups?name=devs')).body['groups']), ['devs']);

  t.is((await call(admin, 'PUT', `/projects/${project.id}/groups/${group.id}/roles/member`)).status, 204);
  t.deepEqual(names((await call(admin, 'GET', `/projects/${project.id}/groups/${group.id}/roles`)).body['roles']), ['member']);
  const direct = (await call(admin, 'GET', `/role_assignments?scope.project.id=${project.id}`)).body['role_assignments'];
  t.deepEqual(direct.map((a: { group?: { id: string } }) => a.group?.id), [group.id]);
  const effective = (await call(admin, 'GET', `/role_assignments?scope.project.id=${project.id}&effective`)).body['role_assignments'];
  t.deepEqual(effective.map((a: { user?: { id: string } }) => a.user?.id), [user.id]);
  t.is(effective[0].links.membership, `${d.apiUrl}/identity/v3${membership}`);
  t.is((await call(admin, 'GET', `/role_assignments?group.id=${group.id}&effective`)).status, 400);

  const scoped = await login('u-grp', 'u-grp-password', 'p-grp');
  t.is(scoped.status, 201);
  t.true(await computeTakes(scoped.token));
  t.is((await call(admin, 'DELETE', membership)).status, 204);
  t.false(await computeTakes(scoped.token), 'leaving the group ends the token it gave');
  t.is((await login('u-grp', 'u-grp-password', 'p-grp')).status, 401);

  t.like((await call(admin, 'PATCH', `/groups/${group.id}`, { group: { description: 'all developers' } })).body['group'], { description: 'all developers' });
  t.is((await call(admin, 'DELETE', `/groups/${group.id}`)).status, 204);
  t.is((await call(admin, 'GET', `/groups/${group.id}`)).status, 404);
  t.deepEqual((await call(admin, 'GET', `/role_assignments?scope.project.id=${project.id}`)).body['role_assignments'], []);
});

test('identity admin - odd but valid names and random bodies get 2xx or 4xx, never a 5xx', async (t) => {
  for (const name of ['🔥 fire', 'é-accent', 'x'.repeat(64), "o'brien", 'tab\tname', 'trailing ']) {
    const res = await call(admin, 'POST', '/projects', { project: { name } });
    t.true(res.status === 201 || res.status === 409, `${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const own = (await call(admin, 'POST', '/projects', { project: { name: 'p-fuzz' } })).body['project'].id as string;
  const ownDomain = (await call(admin, 'POST', '/domains', { domain: { name: 'd-fuzz' } })).body['domain'].id as string;
  const paths = ['/projects', `/projects/${own}`, '/users', '/users/x', '/roles', '/roles/x', '/domains', `/domains/${ownDomain}`, '/groups', '/groups/x', '/users/x/password', '/role_assignments?effective&include_names=0', `/projects/${own}/users/x/roles/member`];
  const values: unknown[] = [null, 0, -1, 2 ** 53 + 2, 'x', '', ' ', '🔥', 'a'.repeat(300), [], {}, true, { name: 'n' }, ['t'], { a: { b: [1] } }];
  const keys = ['project', 'user', 'role', 'domain', 'group', 'name', 'password', 'original_password', 'enabled', 'domain_id', 'tags', 'description', 'email', 'default_project_id', 'is_domain', 'parent_id', 'options'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)] as T;
  const random = (depth: number): unknown => (depth > 2 || next() < 0.4 ? pick(values) : Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 4) }, () => [pick(keys), random(depth + 1)])));
  const failures: string[] = [];
  for (let i = 0; i < 300; i++) {
    const path = pick(paths);
    const method = pick(['POST', 'PATCH', 'PUT', 'DELETE', 'GET']);
    const body = method === 'GET' || method === 'DELETE' ? undefined : { [pick(['project', 'user', 'role', 'domain', 'group'])]: random(1) };
    const res = await call(admin, method, path, body);
    if (res.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(body)} -> ${res.status}`);
  }
  t.deepEqual(failures, []);
});

test('identity admin - a user deleted from another process (cellctl) loses its tokens once the API syncs revocations', async (t) => {
  const user = await createUser(d.api, { name: 'u-elsewhere', password: 'elsewhere-password', defaultProject: demoId });
  await assignRole(d.api, user.id, demoId, (await findRole(d.api, 'member')).id);
  const { token } = await login('u-elsewhere', 'elsewhere-password');
  t.true(await computeTakes(token));
  await deleteUser(d.api, user.id);
  // The API reads revocations every few seconds; wait for it, up to three rounds.
  const until = Date.now() + 15_000;
  while ((await computeTakes(token)) && Date.now() < until) await new Promise((done) => setTimeout(done, 200));
  t.false(await computeTakes(token));
});
