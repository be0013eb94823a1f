import { ForbiddenError } from '../../ops/runtime/index.js';
import type { RequestContext } from '../context.js';

/**
 * Nova's default policy with Keystone's default roles: readers may look, members may also act
 * on their project's resources, admins may do everything, in any project.
 */
const denied = (rule: string): ForbiddenError => new ForbiddenError(`Policy doesn't allow ${rule} to be performed.`);

/** Admin-only APIs: hypervisors, services, other projects' resources, host fields. */
export function requireAdmin(context: RequestContext, rule: string): void {
  if (!context.isAdmin) throw denied(rule);
}

/** Changes need a member (or admin); a reader gets 403. */
export function requireMember(context: RequestContext, rule: string): void {
  if (!context.isAdmin && !context.roles.includes('member')) throw denied(rule);
}

/** Reads need any role on the project. */
export function requireReader(context: RequestContext, rule: string): void {
  if (!context.isAdmin && !context.roles.some((r) => r === 'member' || r === 'reader')) throw denied(rule);
}
