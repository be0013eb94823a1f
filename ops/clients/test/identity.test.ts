import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import { bootstrapIdentity } from '../../../api-cell/identity/index.js';
import { TestDeployment } from '../../testing/index.js';

// Debian's python3-openstackclient administering identity unmodified, as an operator would:
// the commands go to Keystone's v3 REST API, which the API serves.
const OPENSTACK = '/usr/bin/openstack';
let d: TestDeployment;
let dir = '';
let env: NodeJS.ProcessEnv = {};

function openstack(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(OPENSTACK, args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function osc<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const res = await openstack([...args, '-f', 'json']);
  if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} exited ${res.code}: ${res.stderr}${res.stdout}`);
  return JSON.parse(res.stdout) as T;
}

async function oscQuiet(...args: string[]): Promise<string> {
  const res = await openstack(args);
  if (res.code !== 0) throw new Error(`openstack ${args.join(' ')} exited ${res.code}: ${res.stderr}${res.stdout}`);
  return res.stdout;
}

function cloudsFor(user: string, password: string, project: string): NodeJS.ProcessEnv {
  const file = join(dir, `clouds-${user}.yaml`);
  const auth = { auth_url: `${d.apiUrl}/identity/v3`, username: user, password, project_name: project, user_domain_name: 'Default', project_domain_name: 'Default' };
  writeFileSync(file, stringify({ clouds: { cellstack: { auth, region_name: 'RegionOne', interface: 'public', identity_api_version: 3 } } }), { mode: 0o600 });
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
  return { ...clean, OS_CLIENT_CONFIG_FILE: file, OS_CLOUD: 'cellstack' };
}

test.before(async () => {
  if (!existsSync(OPENSTACK)) throw new Error(`${OPENSTACK} is missing: run ops/bin/ensure-services (it installs python3-openstackclient)`);
  d = await TestDeployment.start({ cells: [], config: { api: { auth_strategy: 'keystone' }, identity: { token_secret: 'openstack-identity-test-secret' } } });
  await bootstrapIdentity(d.api, { password: 'admin-password' });
  dir = mkdtempSync(join(tmpdir(), 'cellstack-osc-identity-'));
  env = cloudsFor('admin', 'admin-password', 'admin');
});
test.after.always(async () => {
  await d?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.serial('openstack - project create, user create --project --password, role add, role assignment list, and deletes', async (t) => {
  const project = await osc('project', 'create', '--description', 'made by openstack', 'osc-proj');
  t.like(project, { name: 'osc-proj', description: 'made by openstack', enabled: true, domain_id: 'default' });
  const dup = await openstack(['project', 'create', 'osc-proj']);
  t.not(dup.code, 0);
  t.regex(dup.stderr, /Conflict occurred attempting to store project.*\(HTTP 409\)/);

  const user = await osc('user', 'create', '--project', 'osc-proj', '--password', 'osc-user-password', '--email', 'osc@example.org', 'osc-user');
  t.like(user, { name: 'osc-user', default_project_id: project['id'], email: 'osc@example.org', enabled: true });
  await oscQuiet('role', 'add', '--project', 'osc-proj', '--user', 'osc-user', 'member');

  const assignments = await osc<{ Role: string; User: string; Project: string }[]>('role', 'assignment', 'list', '--user', 'osc-user', '--names');
  t.deepEqual(assignments.map((a) => [a.Role, a.User, a.Project]), [['member', 'osc-user@Default', 'osc-proj@Default']]);
  const all = await osc<{ Role: string; User: string; Project: string }[]>('role', 'assignment', 'list');
  t.true(all.some((a) => a.User === user['id'] && a.Project === project['id']));
  t.true((await osc<{ Name: string }[]>('project', 'list')).some((p) => p.Name === 'osc-proj'));
  t.true((await osc<{ Name: string }[]>('user', 'list', '--project', 'osc-proj')).some((u) => u.Name === 'osc-user'));

  // The new user logs in with its own clouds.yaml and gets a token scoped to its project.
  const adminEnv = env;
  env = cloudsFor('osc-user', 'osc-user-password', 'osc-proj');
  const token = await osc('token', 'issue').finally(() => {
    env = adminEnv;
  });
  t.is(token['project_id'], project['id']);

  await oscQuiet('role', 'remove', '--project', 'osc-proj', '--user', 'osc-user', 'member');
  t.deepEqual(await osc('role', 'assignment', 'list', '--user', 'osc-user'), []);
  await oscQuiet('user', 'delete', 'osc-user');
  await oscQuiet('project', 'delete', 'osc-proj');
  t.false((await osc<{ Name: string }[]>('project', 'list')).some((p) => p.Name === 'osc-proj'));
  t.false((await osc<{ Name: string }[]>('user', 'list')).some((u) => u.Name === 'osc-user'));
});

test.serial('openstack - roles, domains and groups', async (t) => {
  t.like(await osc('role', 'create', 'osc-role'), { name: 'osc-role' });
  await oscQuiet('role', 'delete', 'osc-role');
  t.false((await osc<{ Name: string }[]>('role', 'list')).some((r) => r.Name === 'osc-role'));

  t.like(await osc('domain', 'create', '--description', 'a customer', 'osc-domain'), { name: 'osc-domain', enabled: true });
  const refused = await openstack(['domain', 'delete', 'osc-domain']);
  t.not(refused.code, 0, 'an enabled domain is not deleted');
  await oscQuiet('domain', 'set', '--disable', 'osc-domain');
  t.like(await osc('domain', 'show', 'osc-domain'), { enabled: false });
  await oscQuiet('domain', 'delete', 'osc-domain');

  t.like(await osc('group', 'create', 'osc-group'), { name: 'osc-group' });
  await osc('user', 'create', '--password', 'grouped-password', 'osc-grouped');
  await oscQuiet('group', 'add', 'user', 'osc-group', 'osc-grouped');
  t.regex(await oscQuiet('group', 'contains', 'user', 'osc-group', 'osc-grouped'), /osc-grouped in group osc-group/);
  t.deepEqual((await osc<{ Name: string }[]>('user', 'list', '--group', 'osc-group')).map((u) => u.Name), ['osc-grouped']);
  await oscQuiet('role', 'add', '--project', 'admin', '--group', 'osc-group', 'reader');
  const viaGroup = await osc<{ Role: string; Group: string }[]>('role', 'assignment', 'list', '--group', 'osc-group', '--names');
  t.deepEqual(viaGroup.map((a) => [a.Role, a.Group]), [['reader', 'osc-group@Default']]);
  await oscQuiet('group', 'remove', 'user', 'osc-group', 'osc-grouped');
  await oscQuiet('group', 'delete', 'osc-group');
  t.false((await osc<{ Name: string }[]>('group', 'list')).some((g) => g.Name === 'osc-group'));
});
