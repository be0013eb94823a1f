import test from 'ava';
import { assignRole, createUser, deleteUser, findRole } from '../../identity/index.js';
import { waitFor } from '../../../ops/testing/index.js';
import { IdentityTestClient, names } from './identity-client.js';

// Keystone v3's administration through the REST API, as Tempest's dynamic credentials,
// Terraform and the clients' own functional tests drive it: projects, users, policy, bad input.
let c: IdentityTestClient;
let d: IdentityTestClient['d'];
let admin = '';
let member = '';
let demoId = '';
const call = (token: string, method: string, path: string, body?: unknown) => c.call(token, method, path, body);
const login = (user: string, password: string, project?: string, domain?: string) => c.login(user, password, project, domain);
const computeTakes = (token: string) => c.computeTakes(token);

test.before(async () => {
  c = await IdentityTestClient.start('identity-admin-test-secret');
  ({ d, admin, member, demoId } = c);
});
test.after.always(() => c?.d.stop());

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

test('identity admin - project tags: the list and one tag at a time; members read their own project’s', async (t) => {
  const project = (await call(admin, 'POST', '/projects', { project: { name: 'p-tags', tags: ['a'] } })).body['project'];
  const tags = `/projects/${project.id}/tags`;
  t.deepEqual((await call(admin, 'GET', tags)).body, { tags: ['a'] });
  t.deepEqual((await call(admin, 'PUT', tags, { tags: ['b', 'c'] })).body, { tags: ['b', 'c'] });
  t.is((await call(admin, 'PUT', `${tags}/d`)).status, 201);
  t.is((await call(admin, 'GET', `${tags}/d`)).status, 204);
  t.is((await call(admin, 'HEAD', `${tags}/zzz`)).status, 404);
  t.is((await call(admin, 'PUT', `${tags}/${encodeURIComponent('x,y')}`)).status, 400);
  t.is((await call(admin, 'DELETE', `${tags}/b`)).status, 204);
  t.deepEqual((await call(admin, 'GET', `/projects/${project.id}`)).body['project'].tags, ['c', 'd']);
  t.is((await call(member, 'GET', tags)).status, 403);
  t.is((await call(member, 'GET', `/projects/${demoId}/tags`)).status, 200);
  t.is((await call(member, 'PUT', `/projects/${demoId}/tags/mine`)).status, 403);
  t.is((await call(admin, 'DELETE', tags)).status, 204);
  t.deepEqual((await call(admin, 'GET', tags)).body, { tags: [] });
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
  await waitFor(async () => !(await computeTakes(token)), 15_000, 'the deleted user\'s token to be refused');
  t.false(await computeTakes(token));
});
