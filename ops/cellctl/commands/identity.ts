import type { Command } from 'commander';
import {
  bootstrapIdentity,
  createProject,
  createUser,
  deleteProject,
  deleteUser,
  ensureIdentityDefaults,
  findProject,
  findRole,
  findUser,
  grantRole,
  listProjects,
  listUsers,
  setPassword,
  updateProject,
  updateUser,
} from '../../../api-cell/identity/index.js';
import type { CliContext } from '../context.js';
import { printTable } from '../output.js';
import type { command as Wrap } from '../run.js';
import { byNameOrId, domainRef } from './identity-refs.js';
import { registerRoleCommands } from './identity-roles.js';

type Json = { json?: boolean };
type Domain = { domain?: string };

/**
 * The operator's shortcut over Keystone's v3 administration: every command calls the identity
 * function the REST route calls (one code path), without a token.
 */
export function registerIdentityCommands(program: Command, wrap: typeof Wrap, configFile: () => string | undefined): void {
  program
    .command('bootstrap')
    .description('create the default domain and roles, the admin project and user, and the service project (keystone-manage bootstrap)')
    .requiredOption('--password <password>', "the admin user's password")
    .option('--reset', "set the admin user's password even if it exists")
    .action(wrap(configFile, bootstrap));

  const project = program.command('project').description('identity projects');
  project
    .command('create <name>')
    .description('create a project')
    .option('--description <text>', 'what it is for')
    .option('--domain <domain>', 'its domain (name or id; default: Default)')
    .option('--disable', 'create it disabled')
    .action(wrap(configFile, projectCreate));
  project.command('list').description('list projects').option('--json', 'print JSON').action(wrap(configFile, projectList));
  project
    .command('set <project>')
    .description('change a project (disabling it ends the tokens scoped to it)')
    .option('--name <name>', 'a new name')
    .option('--description <text>', 'a new description')
    .option('--enable', 'enable it')
    .option('--disable', 'disable it')
    .option('--domain <domain>', 'the domain its name is in')
    .action(wrap(configFile, projectSet));
  project
    .command('delete <project>')
    .description('delete a project, its role assignments and the tokens scoped to it')
    .option('--domain <domain>', 'the domain its name is in')
    .action(wrap(configFile, projectDelete));

  const user = program.command('user').description('identity users');
  user
    .command('create <name>')
    .description('create a user; with --project it gets the member role there')
    .requiredOption('--password <password>', 'its password')
    .option('--project <project>', 'a project (name or id) to make it a member of')
    .option('--domain <domain>', 'its domain (name or id; default: Default)')
    .option('--email <email>', 'its email address')
    .action(wrap(configFile, userCreate));
  user.command('list').description('list users').option('--json', 'print JSON').action(wrap(configFile, userList));
  user.command('password <name>').description("set a user's password (ends its tokens)").requiredOption('--password <password>', 'the new password').action(wrap(configFile, userPassword));
  user
    .command('set <user>')
    .description('enable or disable a user (disabling ends its tokens)')
    .option('--enable', 'enable it')
    .option('--disable', 'disable it')
    .option('--domain <domain>', 'the domain its name is in')
    .action(wrap(configFile, userSet));
  user
    .command('delete <user>')
    .description('delete a user, its role assignments, group memberships and tokens')
    .option('--domain <domain>', 'the domain its name is in')
    .action(wrap(configFile, userDelete));

  registerRoleCommands(program, wrap, configFile);
}

const enabledFrom = (o: { enable?: boolean; disable?: boolean }): boolean | undefined => (o.disable ? false : o.enable ? true : undefined);

async function bootstrap(ctx: CliContext, o: { password: string; reset?: boolean }): Promise<void> {
  const { user, project, created } = await bootstrapIdentity(ctx.api, { password: o.password, reset: o.reset ?? false });
  console.log(`${created ? 'created' : 'found'} user admin (${user.id}) with the admin role on project admin (${project.id})`);
  if (!created && !o.reset) console.log('note: the existing admin password was left as it was (--reset changes it)');
}

async function projectCreate(ctx: CliContext, name: string, o: { description?: string; disable?: boolean } & Domain): Promise<void> {
  await ensureIdentityDefaults(ctx.api);
  const p = await createProject(ctx.api, { name, description: o.description, enabled: !o.disable, ...(o.domain ? { domain: domainRef(o.domain) } : {}) });
  console.log(`created project ${p.name} (${p.id})`);
}

async function projectList(ctx: CliContext, o: Json): Promise<void> {
  printTable((await listProjects(ctx.api)).map((p) => ({ ...p })), ['id', 'name', 'domain_id', 'enabled'], o.json ?? false);
}

async function projectSet(ctx: CliContext, ref: string, o: { name?: string; description?: string; enable?: boolean; disable?: boolean } & Domain): Promise<void> {
  const p = await findProject(ctx.api, byNameOrId(ref, o.domain));
  const changed = await updateProject(ctx.api, p.id, { name: o.name, description: o.description, enabled: enabledFrom(o) });
  console.log(`project ${changed.name} (${changed.id}) is ${changed.enabled ? 'enabled' : 'disabled'}`);
}

async function projectDelete(ctx: CliContext, ref: string, o: Domain): Promise<void> {
  const p = await findProject(ctx.api, byNameOrId(ref, o.domain));
  await deleteProject(ctx.api, p.id);
  console.log(`deleted project ${p.name} (${p.id})`);
}

async function userCreate(ctx: CliContext, name: string, o: { password: string; project?: string; email?: string } & Domain): Promise<void> {
  await ensureIdentityDefaults(ctx.api);
  const project = o.project ? await findProject(ctx.api, byNameOrId(o.project, o.domain)) : undefined;
  const u = await createUser(ctx.api, {
    name,
    password: o.password,
    ...(o.domain ? { domain: domainRef(o.domain) } : {}),
    ...(project ? { defaultProject: project.id } : {}),
    ...(o.email ? { extra: { email: o.email } } : {}),
  });
  if (project) await grantRole(ctx.api, { actor: 'user', actorId: u.id, target: 'project', targetId: project.id }, (await findRole(ctx.api, 'member')).id);
  console.log(`created user ${u.name} (${u.id})${project ? `, member of project ${project.name}` : ''}`);
}

async function userList(ctx: CliContext, o: Json): Promise<void> {
  printTable((await listUsers(ctx.api)).map((u) => ({ ...u })), ['id', 'name', 'domain_id', 'default_project_id', 'enabled'], o.json ?? false);
}

async function userPassword(ctx: CliContext, name: string, o: { password: string }): Promise<void> {
  const u = await findUser(ctx.api, byNameOrId(name));
  await setPassword(ctx.api, u.id, o.password);
  console.log(`password of user ${u.name} changed`);
}

async function userSet(ctx: CliContext, ref: string, o: { enable?: boolean; disable?: boolean } & Domain): Promise<void> {
  const u = await findUser(ctx.api, byNameOrId(ref, o.domain));
  const changed = await updateUser(ctx.api, u.id, { enabled: enabledFrom(o) });
  console.log(`user ${changed.name} (${changed.id}) is ${changed.enabled ? 'enabled' : 'disabled'}`);
}

async function userDelete(ctx: CliContext, ref: string, o: Domain): Promise<void> {
  const u = await findUser(ctx.api, byNameOrId(ref, o.domain));
  await deleteUser(ctx.api, u.id);
  console.log(`deleted user ${u.name} (${u.id})`);
}
