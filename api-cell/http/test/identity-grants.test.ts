import test from 'ava';
import { IdentityTestClient, names } from './identity-client.js';

// Keystone v3's roles, grants and role assignments, domains and groups through the REST API,
// and the tokens that end when they change.
let c: IdentityTestClient;
let d: IdentityTestClient['d'];
let admin = '';
let demoId = '';
const call = (token: string, method: string, path: string, body?: unknown) => c.call(token, method, path, body);
const login = (user: string, password: string, project?: string, domain?: string) => c.login(user, password, project, domain);
const computeTakes = (token: string) => c.computeTakes(token);

test.before(async () => {
  c = await IdentityTestClient.start('identity-grants-test-secret');
  ({ d, admin, demoId } = c);
});
test.after.always(() => c?.d.stop());

test('identity grants - role assignments: grant, check, list with names and filters, revoke ends the project token', async (t) => {
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

test('identity grants - deleting a project ends the tokens scoped to it and its assignments', async (t) => {
  const user = (await call(admin, 'POST', '/users', { user: { name: 'u-pd', password: 'u-pd-password' } })).body['user'];
  const project = (await call(admin, 'POST', '/projects', { project: { name: 'p-pd' } })).body['project'];
  await call(admin, 'PUT', `/projects/${project.id}/users/${user.id}/roles/member`);
  const scoped = await login('u-pd', 'u-pd-password', 'p-pd');
  t.true(await computeTakes(scoped.token));
  t.is((await call(admin, 'DELETE', `/projects/${project.id}`)).status, 204);
  t.false(await computeTakes(scoped.token));
  t.deepEqual((await call(admin, 'GET', `/role_assignments?scope.project.id=${project.id}`)).body['role_assignments'], []);
});

test('identity grants - disabling a project ends the tokens scoped to it and refuses new ones until enabled', async (t) => {
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

test('identity grants - roles: create, a duplicate name is a 409, delete takes its assignments with it', async (t) => {
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

test('identity grants - domains: create, users and projects in it log in, an enabled domain cannot be deleted (403), a disabled one can', async (t) => {
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

test('identity grants - groups: members, a group role on a project gives its members a token there, effective listing', async (t) => {
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
