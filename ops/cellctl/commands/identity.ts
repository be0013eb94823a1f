import type { Command } from 'commander';
import {
  assignRole,
  bootstrapIdentity,
  createProject,
  createUser,
  ensureIdentityDefaults,
  findProject,
  findRole,
  findUser,
  listProjects,
  listRoles,
  listUsers,
  setPassword,
  unassignRole,
} from '../../../api-cell/identity/index.js';
import type { CliContext } from '../context.js';
import { printTable } from '../output.js';
import type { command as Wrap } from '../run.js';

type Json = { json?: boolean };

export function registerIdentityCommands(program: Command, wrap: typeof Wrap, configFile: () => string | undefined): void {
  program
    .command('bootstrap')
    .description('create the default domain and roles, the admin project and user, and the service project (keystone-manage bootstrap)')
    .requiredOption('--password <password>', "the admin user's password")
    .option('--reset', "set the admin user's password even if it exists")
    .action(wrap(configFile, bootstrap));

  const project = program.command('project').description('identity projects');
  project.command('create <name>').description('create a project').option('--description <text>', 'what it is for').action(wrap(configFile, projectCreate));
  project.command('list').description('list projects').option('--json', 'print JSON').action(wrap(configFile, projectList));

  const user = program.command('user').description('identity users');
  user
    .command('create <name>')
    .description('create a user; with --project it gets the member role there')
    .requiredOption('--password <password>', 'its password')
    .option('--project <project>', 'a project (name or id) to make it a member of')
    .action(wrap(configFile, userCreate));
  user.command('list').description('list users').option('--json', 'print JSON').action(wrap(configFile, userList));
  user.command('password <name>').description("set a user's password").requiredOption('--password <password>', 'the new password').action(wrap(configFile, userPassword));

  const role = program.command('role').description('roles and role assignments');
  role.command('list').description('list roles').option('--json', 'print JSON').action(wrap(configFile, roleList));
  role
    .command('add <role>')
    .description('give a user a role on a project')
    .requiredOption('--user <user>', 'user name or id')
    .requiredOption('--project <project>', 'project name or id')
    .action(wrap(configFile, roleChange(true)));
  role
    .command('remove <role>')
    .description("take a user's role on a project away")
    .requiredOption('--user <user>', 'user name or id')
    .requiredOption('--project <project>', 'project name or id')
    .action(wrap(configFile, roleChange(false)));
}

const byNameOrId = (value: string) => (/^[0-9a-f]{32}$/.test(value) ? { id: value } : { name: value });

async function bootstrap(ctx: CliContext, o: { password: string; reset?: boolean }): Promise<void> {
  const { user, project, created } = await bootstrapIdentity(ctx.api, { password: o.password, reset: o.reset ?? false });
  console.log(`${created ? 'created' : 'found'} user admin (${user.id}) with the admin role on project admin (${project.id})`);
  if (!created && !o.reset) console.log('note: the existing admin password was left as it was (--reset changes it)');
}

async function projectCreate(ctx: CliContext, name: string, o: { description?: string }): Promise<void> {
  await ensureIdentityDefaults(ctx.api);
  const p = await createProject(ctx.api, { name, ...(o.description ? { description: o.description } : {}) });
  console.log(`created project ${p.name} (${p.id})`);
}

async function projectList(ctx: CliContext, o: Json): Promise<void> {
  printTable((await listProjects(ctx.api)).map((p) => ({ ...p })), ['id', 'name', 'domain_id', 'enabled'], o.json ?? false);
}

async function userCreate(ctx: CliContext, name: string, o: { password: string; project?: string }): Promise<void> {
  await ensureIdentityDefaults(ctx.api);
  const project = o.project ? await findProject(ctx.api, byNameOrId(o.project)) : undefined;
  const u = await createUser(ctx.api, { name, password: o.password, ...(project ? { defaultProject: project.id } : {}) });
  if (project) await assignRole(ctx.api, u.id, project.id, (await findRole(ctx.api, 'member')).id);
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

async function roleList(ctx: CliContext, o: Json): Promise<void> {
  printTable((await listRoles(ctx.api)).map((r) => ({ ...r })), ['id', 'name'], o.json ?? false);
}

function roleChange(add: boolean) {
  return async (ctx: CliContext, roleName: string, o: { user: string; project: string }): Promise<void> => {
    const [role, user, project] = await Promise.all([
      findRole(ctx.api, roleName),
      findUser(ctx.api, byNameOrId(o.user)),
      findProject(ctx.api, byNameOrId(o.project)),
    ]);
    if (add) {
      await assignRole(ctx.api, user.id, project.id, role.id);
      console.log(`user ${user.name} has role ${role.name} on project ${project.name}`);
    } else {
      const removed = await unassignRole(ctx.api, user.id, project.id, role.id);
      console.log(removed ? `user ${user.name} no longer has role ${role.name} on project ${project.name}` : 'that assignment did not exist');
    }
  };
}
