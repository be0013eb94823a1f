import { execute, select, type Runner } from '../../ops/runtime-db/index.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../ops/runtime/index.js';
import type { NetworkDatabase } from './db/index.js';
import { updateRow } from './networks.js';
import { checkQuota } from './quotas.js';
import { checkRule, createGroup, deleteGroup, findGroup, insertRules, refuseDuplicateRule, type RuleRow, type SecurityGroupRow } from './security-groups.js';

/**
 * What Nova's os-security-groups and os-security-group-rules proxies (until 2.36) ask of the
 * network service, each step one transaction, with Nova's answers: what Neutron refuses as a
 * conflict (a default group, a group in use, a rule that exists) is Nova's 400.
 */

const inTx = <T>(db: NetworkDatabase, work: (run: Runner) => Promise<T>): Promise<T> =>
  db.sequelize.transaction((transaction) => work({ sequelize: db.sequelize, transaction }));

const asBadRequest = (err: unknown): never => {
  if (err instanceof ConflictError) throw new InvalidInputError(err.message, { cause: err });
  throw err;
};

const uuidLike = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A group the project may see, or Nova's 404; an id that is neither a uuid nor a number is a 400. */
export async function projectGroup(db: NetworkDatabase, projectId: string, isAdmin: boolean, id: string): Promise<SecurityGroupRow> {
  if (!uuidLike.test(id) && !/^\d+$/.test(id)) throw new InvalidInputError(`Security group id ${id} is not valid.`);
  const group = await findGroup(db, id).catch((err: unknown) => {
    throw err instanceof NotFoundError ? new NotFoundError(`Security group ${id} not found.`) : err;
  });
  if (!isAdmin && group.project_id !== projectId) throw new NotFoundError(`Security group ${id} not found.`);
  return group;
}

export async function addGroup(db: NetworkDatabase, projectId: string, name: string, description: string): Promise<string> {
  return inTx(db, async (run) => {
    // Nova refuses a second group of the same name in a project (Neutron would allow it).
    const same = await select<{ id: string }>(run, 'SELECT id FROM security_groups WHERE project_id = ? AND name = ? LIMIT 1', [projectId, name]);
    if (same[0]) throw new InvalidInputError(`Security group ${name} already exists`);
    return createGroup(run, projectId, name, description, true);
  }).catch(asBadRequest);
}

export async function renameGroup(db: NetworkDatabase, group: SecurityGroupRow, name: string, description: string): Promise<void> {
  if (group.default_of && name !== 'default') throw new InvalidInputError('Updating default security group not allowed.');
  await updateRow(db, 'security_groups', group.id, { name, description });
}

/** Deletes a group, and the rules of other groups that let its members in (as Neutron does). */
export async function removeGroup(db: NetworkDatabase, group: SecurityGroupRow): Promise<void> {
  if (group.default_of) throw new InvalidInputError('Removing default security group not allowed.');
  await inTx(db, async (run) => {
    await deleteGroup(run, group);
    await execute(run, 'DELETE FROM security_group_rules WHERE remote_group_id = ?', [group.id]);
  }).catch(asBadRequest);
}

/** An ingress rule as Nova takes one: a protocol with its ports, from a CIDR or from a group. */
export interface IngressRule {
  protocol: string | null;
  from: number | null;
  to: number | null;
  cidr: string | null;
  remoteGroupId: string | null;
}

export async function addIngressRule(db: NetworkDatabase, group: SecurityGroupRow, rule: IngressRule): Promise<string> {
  const spec = checkRule({
    security_group_id: group.id,
    project_id: group.project_id,
    direction: 'ingress',
    ethertype: rule.cidr?.includes(':') ? 'IPv6' : 'IPv4',
    protocol: rule.protocol,
    port_range_min: rule.from,
    port_range_max: rule.to,
    remote_ip_prefix: rule.cidr,
    remote_group_id: rule.remoteGroupId,
    description: '',
  });
  const [id] = await inTx(db, async (run) => {
    await refuseDuplicateRule(run, spec);
    // Nova shows the CIDR as it was given; Neutron keeps it so too (its normalized_cidr is apart).
    if (rule.cidr !== null && rule.cidr !== spec.remote_ip_prefix) {
      spec.remote_ip_prefix = rule.cidr;
      await refuseDuplicateRule(run, spec);
    }
    await checkQuota(run, 'security_group_rule', new Map([[group.project_id, 1]]));
    return insertRules(run, [spec]);
  }).catch(asBadRequest);
  return id ?? '';
}

/** Deletes a rule of a group the project may see; false when there is none. */
export async function removeRule(db: NetworkDatabase, id: string, projectId: string, isAdmin: boolean): Promise<boolean> {
  const gone = await execute(db, `DELETE FROM security_group_rules WHERE id = ?${isAdmin ? '' : ' AND project_id = ?'}`, isAdmin ? [id] : [id, projectId]);
  return gone > 0;
}

export type { RuleRow, SecurityGroupRow };
