import type { Command } from 'commander';
import {
  addGroupMember,
  createDomain,
  createGroup,
  createRole,
  deleteDomain,
  deleteGroup,
  deleteRole,
  findDomain,
  findGroup,
  findProject,
  findRole,
  findUser,
  getDomain,
  grantRole,
  listAssignments,
  listDomains,
  listGroups,
  listRoles,
  removeGroupMember,
  revokeGrant,
  updateDomain,
  type Grant,
} from '../../../api-cell/identity/index.js';
import { InvalidInputError } from '../../runtime/index.js';
import type { CliContext } from '../context.js';
import { printTable } from '../output.js';
import type { command as Wrap } from '../run.js';
import { byNameOrId, domainRef } from './identity-refs.js';

type Json = { json?: boolean };
type GrantOptions = { user?: string; group?: string; project?: string; domain?: string };

/** Roles and their assignments, domains and groups: the same functions as Keystone's REST routes. */
export function registerRoleCommands(program: Command, wrap: typeof Wrap, configFile: () => string | undefined): void {
  const role = program.command('role').description('roles and role assignments');
  role.command('list').description('list roles').option('--json', 'print JSON').action(wrap(configFile, roleList));
  role.command('create <name>').description('create a role').option('--description <text>', 'what it allows').action(wrap(configFile, roleCreate));
  role.command('delete <role>').description('delete a role and every assignment of it').action(wrap(configFile, roleDelete));
  for (const [verb, text] of [['add', 'give a user or group a role on a project or domain'], ['remove', 'take a role away']] as const) {
    role
      .command(`${verb} <role>`)
      .description(text)
      .option('--user <user>', 'user name or id')
      .option('--group <group>', 'group name or id')
      .option('--project <project>', 'project name or id')
      .option('--domain <domain>', 'domain name or id (the target with no --project, else where the names are)')
      .action(wrap(configFile, roleChange(verb === 'add')));
  }
  role
    .command('assignments')
    .description('list role assignments (openstack role assignment list)')
    .option('--user <user>', 'only this user')
    .option('--project <project>', 'only on this project')
    .option('--effective', "show groups' assignments as their members'")
    .option('--json', 'print JSON')
    .action(wrap(configFile, assignmentList));

  const domain = program.command('domain').description('identity domains');
  domain.command('create <name>').description('create a domain').option('--description <text>', 'what it is for').action(wrap(configFile, domainCreate));
  domain.command('list').description('list domains').option('--json', 'print JSON').action(wrap(configFile, domainList));
  domain
    .command('set <domain>')
    .description('enable or disable a domain (disabling ends the tokens of its users and projects)')
    .option('--enable', 'enable it')
    .option('--disable', 'disable it')
    .action(wrap(configFile, domainSet));
  domain.command('delete <domain>').description('delete a disabled domain and everything in it').action(wrap(configFile, domainDelete));

  const group = program.command('group').description('identity groups');
  group.command('create <name>').description('create a group').option('--domain <domain>', 'its domain').option('--description <text>', 'who is in it').action(wrap(configFile, groupCreate));
  group.command('list').description('list groups').option('--json', 'print JSON').action(wrap(configFile, groupList));
  group.command('delete <group>').description('delete a group').option('--domain <domain>', 'the domain its name is in').action(wrap(configFile, groupDelete));
  group.command('add-user <group> <user>').description('add a user to a group').option('--domain <domain>', 'the domain the names are in').action(wrap(configFile, groupMember(true)));
  group.command('remove-user <group> <user>').description('take a user out of a group').option('--domain <domain>', 'the domain the names are in').action(wrap(configFile, groupMember(false)));
}

async function roleList(ctx: CliContext, o: Json): Promise<void> {
  printTable((await listRoles(ctx.api)).map((r) => ({ ...r })), ['id', 'name'], o.json ?? false);
}

async function roleCreate(ctx: CliContext, name: string, o: { description?: string }): Promise<void> {
  const r = await createRole(ctx.api, { name, description: o.description });
  console.log(`created role ${r.name} (${r.id})`);
}

async function roleDelete(ctx: CliContext, name: string): Promise<void> {
  const r = await findRole(ctx.api, name);
  await deleteRole(ctx.api, r.id);
  console.log(`deleted role ${r.name} (${r.id})`);
}

/** The grant an add or remove names: exactly one of --user/--group, on --project or else --domain. */
async function grantOf(ctx: CliContext, o: GrantOptions): Promise<{ grant: Grant; holder: string; where: string }> {
  if (Boolean(o.user) === Boolean(o.group)) throw new InvalidInputError('give exactly one of --user and --group');
  if (!o.project && !o.domain) throw new InvalidInputError('give --project or --domain');
  const actor = o.user ? await findUser(ctx.api, byNameOrId(o.user, o.domain)) : await findGroup(ctx.api, byNameOrId(o.group ?? '', o.domain));
  const target = o.project ? await findProject(ctx.api, byNameOrId(o.project, o.domain)) : await findDomain(ctx.api, domainRef(o.domain ?? ''));
  const grant: Grant = { actor: o.user ? 'user' : 'group', actorId: actor.id, target: o.project ? 'project' : 'domain', targetId: target.id };
  return { grant, holder: `${grant.actor} ${actor.name}`, where: `${grant.target} ${target.name}` };
}

function roleChange(add: boolean) {
  return async (ctx: CliContext, roleName: string, o: GrantOptions): Promise<void> => {
    const role = await findRole(ctx.api, roleName);
    const { grant, holder, where } = await grantOf(ctx, o);
    if (add) await grantRole(ctx.api, grant, role.id);
    else await revokeGrant(ctx.api, grant, role.id);
    console.log(`${holder} ${add ? 'has' : 'no longer has'} role ${role.name} on ${where}`);
  };
}

async function assignmentList(ctx: CliContext, o: { user?: string; project?: string; effective?: boolean } & Json): Promise<void> {
  const userId = o.user ? (await findUser(ctx.api, byNameOrId(o.user))).id : undefined;
  const projectId = o.project ? (await findProject(ctx.api, byNameOrId(o.project))).id : undefined;
  const rows = await listAssignments(ctx.api, { userId, projectId, effective: o.effective });
  const roles = new Map((await listRoles(ctx.api)).map((r) => [r.id, r.name]));
  const table = rows.map((a) => ({ role: roles.get(a.roleId) ?? a.roleId, [a.actor]: a.actorId, [a.target]: a.targetId, via_group: a.viaGroup }));
  printTable(table, ['role', 'user', 'group', 'project', 'domain'], o.json ?? false);
}

async function domainCreate(ctx: CliContext, name: string, o: { description?: string }): Promise<void> {
  const d = await createDomain(ctx.api, { name, description: o.description });
  console.log(`created domain ${d.name} (${d.id})`);
}

async function domainList(ctx: CliContext, o: Json): Promise<void> {
  printTable((await listDomains(ctx.api)).map((d) => ({ ...d })), ['id', 'name', 'enabled', 'description'], o.json ?? false);
}

/** A domain by id or by name, enabled or not. */
async function anyDomain(ctx: CliContext, value: string) {
  const named = (await listDomains(ctx.api)).find((d) => d.name === value);
  return named ?? getDomain(ctx.api, value);
}

async function domainSet(ctx: CliContext, ref: string, o: { enable?: boolean; disable?: boolean }): Promise<void> {
  const d = await anyDomain(ctx, ref);
  const changed = await updateDomain(ctx.api, d.id, { enabled: o.disable ? false : o.enable ? true : undefined });
  console.log(`domain ${changed.name} (${changed.id}) is ${changed.enabled ? 'enabled' : 'disabled'}`);
}

async function domainDelete(ctx: CliContext, ref: string): Promise<void> {
  const d = await anyDomain(ctx, ref);
  await deleteDomain(ctx.api, d.id);
  console.log(`deleted domain ${d.name} (${d.id})`);
}

async function groupCreate(ctx: CliContext, name: string, o: { domain?: string; description?: string }): Promise<void> {
  const g = await createGroup(ctx.api, { name, description: o.description, ...(o.domain ? { domain: domainRef(o.domain) } : {}) });
  console.log(`created group ${g.name} (${g.id})`);
}

async function groupList(ctx: CliContext, o: Json): Promise<void> {
  printTable((await listGroups(ctx.api)).map((g) => ({ ...g })), ['id', 'name', 'domain_id', 'description'], o.json ?? false);
}

async function groupDelete(ctx: CliContext, ref: string, o: { domain?: string }): Promise<void> {
  const g = await findGroup(ctx.api, byNameOrId(ref, o.domain));
  await deleteGroup(ctx.api, g.id);
  console.log(`deleted group ${g.name} (${g.id})`);
}

function groupMember(add: boolean) {
  return async (ctx: CliContext, groupRef: string, userRef: string, o: { domain?: string }): Promise<void> => {
    const [g, u] = await Promise.all([findGroup(ctx.api, byNameOrId(groupRef, o.domain)), findUser(ctx.api, byNameOrId(userRef, o.domain))]);
    if (add) await addGroupMember(ctx.api, g.id, u.id);
    else await removeGroupMember(ctx.api, g.id, u.id);
    console.log(`user ${u.name} is ${add ? 'now' : 'no longer'} a member of group ${g.name}`);
  };
}
