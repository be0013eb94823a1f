import type { ServerGroup } from '../../groups/index.js';
import { atLeast, type Microversion } from '../microversion.js';

/**
 * A server group as Nova shows it: `policies` (one) and an empty `metadata` below 2.64,
 * `policy` and `rules` from 2.64; its project and user from 2.13.
 */
export function serverGroupView(group: ServerGroup, version: Microversion): Record<string, unknown> {
  const view: Record<string, unknown> = { id: group.uuid, name: group.name };
  if (atLeast(version, '2.64')) {
    view['policy'] = group.policy;
    view['rules'] = group.rules;
  } else {
    view['policies'] = [group.policy];
    view['metadata'] = {};
  }
  view['members'] = group.members;
  if (atLeast(version, '2.13')) {
    view['project_id'] = group.project_id;
    view['user_id'] = group.user_id;
  }
  return view;
}
